/** Public face of the CEB message layer: specs as data, safe decode, spec-driven validate and encode. */
export {
  CEB_NAMESPACE,
  DXP_NAMESPACE,
  EXPORT_MESSAGE_TYPES,
  RECEIPT_MESSAGE_TYPES,
  MESSAGE_SPECS,
  RECEIPT_OF,
  isCebMessageType,
  specByRoot,
} from './ceb.specs.ts';
export type {
  BlockSpec,
  CebCodeTable,
  CebMessageType,
  EntitySpec,
  ExportMessageType,
  FieldSpec,
  FieldType,
  FieldValues,
  ListSpec,
  MessageSpec,
  ReceiptMessageType,
} from './ceb.specs.ts';
export { decodeCeb } from './ceb.decode.ts';
export { DEFAULT_DECODE_LIMITS } from './ceb.message.ts';
export type { CebEntity, CebMessage, CebRecord, DecodeLimits, DecodedCeb, DxpTransInfo } from './ceb.message.ts';
export { validateCeb, checkField } from './ceb.validate.ts';
export { encodeCeb, encodeCebReceipt, encodeFormatReceipt, escapeXml, type FormatReceipt } from './ceb.encode.ts';
export {
  cebMessage,
  fillInvtNos,
  flightMessages,
  parcelDocuments,
  type CebParty,
  type FlightShape,
  type Parcel,
  type ParcelProduct,
  type ParcelRun,
  type ParcelShape,
} from './ceb.parcels.ts';
