/** The decoded shape of a CEB message: what XML and JSON intake both produce (every value a string). */
import type { CebMessageType } from './ceb.specs.ts';

export type CebRecord = Record<string, string>;

export interface CebEntity {
  head: CebRecord;
  lists: Record<string, CebRecord[]>;
}

export interface CebMessage {
  messageType: CebMessageType;
  guid: string;
  version?: string;
  appType?: string;
  appStatus?: string;
  entities: CebEntity[];
  baseTransfer?: CebRecord;
  baseSubscribe?: CebRecord[];
}

export interface DxpTransInfo {
  copMsgId: string;
  senderId: string;
  receiverIds: string[];
  creatTime: string;
  msgType: string;
}

export interface DecodedCeb {
  message: CebMessage;
  /** present when the input was a DxpMsg envelope */
  dxp?: DxpTransInfo;
  /**
   * The CEB message text exactly as decoded: the input itself, or the Base64-decoded Data element
   * of a DxpMsg that the decoder read. An enveloped signature covers this text, and only this.
   */
  xml: string;
}

export interface DecodeLimits {
  maxBytes: number;
  maxDepth: number;
  maxEntities: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxBytes: 10 * 1024 * 1024, maxDepth: 32, maxEntities: 100 };
