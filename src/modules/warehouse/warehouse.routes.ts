import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DispatchRepairService } from './dispatch-repair.service.ts';
import type { DispatchService } from './dispatch.service.ts';
import {
  Bag,
  Booking,
  BookingInput,
  Dispatch,
  DispatchInput,
  Locations,
  OpenBagInput,
  ParcelStatusSchema,
  PutAwayInput,
  ReceiveInput,
  ReceiveResult,
  SortInput,
  StockCount,
  StockCountSummary,
  StockLocation,
  WarehouseParcel,
} from './warehouse.schema.ts';
import type { WarehouseService } from './warehouse.service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const LocationParams = Type.Object({ locationCode: Type.String({ minLength: 1, maxLength: 20 }) });
const tags = ['warehouse'];

export function registerWarehouseRoutes(
  app: FastifyInstance,
  deps: { warehouse: WarehouseService; dispatch: DispatchService; repair?: DispatchRepairService },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { warehouse, dispatch } = deps;
  const operate = { permission: 'warehouse.operate' };

  r.post(
    '/api/v1/warehouse/bookings',
    {
      config: { permission: 'warehouse.book' },
      schema: {
        tags,
        summary: '入仓预约 / Book parcels into a supervision centre',
        body: BookingInput,
        response: { 201: Booking },
      },
    },
    async (req, reply) => reply.code(201).send(await warehouse.createBooking(req.principal, req.body)),
  );
  r.get(
    '/api/v1/warehouse/bookings',
    {
      config: { permission: 'warehouse.book' },
      schema: {
        tags,
        summary: '入仓预约列表 / My bookings (seller) or bookings with my centre',
        response: { 200: Type.Array(Booking) },
      },
    },
    async (req) => warehouse.listBookings(req.principal),
  );
  r.put(
    '/api/v1/warehouse/locations',
    {
      config: operate,
      schema: { tags, summary: '登记库位 / Register storage locations', body: Locations, response: { 200: Locations } },
    },
    async (req) => warehouse.registerLocations(req.principal, req.body),
  );
  r.get(
    '/api/v1/warehouse/locations',
    {
      config: operate,
      schema: {
        tags,
        summary: '库位列表 / Registered locations, with the parcels in stock at each (the put-away choices)',
        querystring: Type.Object({
          all: Type.Optional(Type.Boolean({ description: 'also the retired locations (default: the active ones only)' })),
        }),
        response: { 200: Type.Array(StockLocation) },
      },
    },
    async (req) => warehouse.listLocations(req.principal, req.query),
  );
  r.post(
    '/api/v1/warehouse/locations/:locationCode/deactivate',
    {
      config: operate,
      schema: {
        tags,
        summary: '停用库位 / Retire a storage location',
        description:
          'It is no longer a put-away choice; parcels and counts keep naming it. 409 while parcels in stock are put away there, or when already retired; another centre’s location is 404.',
        params: LocationParams,
        response: { 200: StockLocation },
      },
    },
    async (req) => warehouse.deactivateLocation(req.principal, req.params.locationCode),
  );
  r.post(
    '/api/v1/warehouse/locations/:locationCode/activate',
    {
      config: operate,
      schema: {
        tags,
        summary: '启用库位 / Bring a retired storage location back into use',
        description: '409 when it is already in use; another centre’s location is 404.',
        params: LocationParams,
        response: { 200: StockLocation },
      },
    },
    async (req) => warehouse.activateLocation(req.principal, req.params.locationCode),
  );
  r.get(
    '/api/v1/warehouse/parcels',
    {
      config: operate,
      schema: {
        tags,
        summary: '在库包裹 / Parcels at my centre',
        querystring: Type.Object({ status: Type.Optional(ParcelStatusSchema) }),
        response: { 200: Type.Array(WarehouseParcel) },
      },
    },
    async (req) => warehouse.listParcels(req.principal, req.query),
  );
  r.post(
    '/api/v1/warehouse/receive',
    {
      config: operate,
      schema: {
        tags,
        summary: '扫描入库（含查验台） / Receive a parcel by scan (also at the inspection station)',
        description:
          'A parcel whose inspection task is open is held at the inspection station and the task comes back in inspectionTask. 409 with `candidates` when several carriers use the number: scan again naming logisticsCode.',
        body: ReceiveInput,
        response: { 200: ReceiveResult },
      },
    },
    async (req) => warehouse.receive(req.principal, req.body),
  );
  r.post(
    '/api/v1/warehouse/put-away',
    {
      config: operate,
      schema: { tags, summary: '上架 / Put a parcel away at a location', body: PutAwayInput, response: { 200: WarehouseParcel } },
    },
    async (req) => warehouse.putAway(req.principal, req.body),
  );
  r.post(
    '/api/v1/warehouse/sort',
    {
      config: operate,
      schema: { tags, summary: '分拣 / Sort a parcel to a route or flight', body: SortInput, response: { 200: WarehouseParcel } },
    },
    async (req) => warehouse.sort(req.principal, req.body),
  );
  r.get(
    '/api/v1/warehouse/parcels/:logisticsNo/label.pdf',
    {
      config: { permission: 'warehouse.book' },
      schema: {
        tags,
        summary: '包裹面单 PDF / Parcel label, 100×150 mm, Code 128',
        params: Type.Object({ logisticsNo: Type.String({ minLength: 1, maxLength: 60 }) }),
        querystring: Type.Object({ logisticsCode: Type.Optional(Type.String({ maxLength: 18 })) }),
      },
    },
    async (req, reply) => {
      const pdf = await warehouse.label(req.principal, req.params.logisticsNo, req.query.logisticsCode);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="label-${req.params.logisticsNo}.pdf"`)
        .send(pdf);
    },
  );

  r.post(
    '/api/v1/warehouse/bags',
    {
      config: operate,
      schema: {
        tags,
        summary: '开袋或开板 / Open a bag (or a pallet) for a carrier and route',
        description:
          'Scan-first: with logisticsNo the bag takes that parcel’s carrier and (unless route is typed) its route; with bagNo a pallet takes that bag’s. Numbers: BG… bags, PL… pallets, per centre and China day.',
        body: OpenBagInput,
        response: { 201: Bag },
      },
    },
    async (req, reply) => reply.code(201).send(await dispatch.openBag(req.principal, req.body)),
  );
  r.get(
    '/api/v1/warehouse/bags',
    {
      config: operate,
      schema: {
        tags,
        summary: '袋列表 / Bags',
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('dispatched')])),
          topLevel: Type.Optional(
            Type.Boolean({ description: 'only pallets and the bags not on a pallet (what a dispatch takes)' }),
          ),
        }),
        response: { 200: Type.Array(Bag) },
      },
    },
    async (req) => dispatch.listBags(req.principal, req.query),
  );
  r.post(
    '/api/v1/warehouse/bags/:id/pack',
    {
      config: operate,
      schema: {
        tags,
        summary: '扫描装袋 / Pack a parcel into the bag by scan',
        description:
          '409 naming the waybill number and the reason when customs does not let the parcel move: no live inventory (not declared, rejected, cancelled), not yet checked, or an open inspection task.',
        params: IdParams,
        body: Type.Object({ logisticsNo: Type.String({ maxLength: 60 }) }),
        response: { 200: Type.Object({ bag: Bag, parcel: WarehouseParcel }) },
      },
    },
    async (req) => dispatch.pack(req.principal, req.params.id, req.body.logisticsNo),
  );
  r.post(
    '/api/v1/warehouse/bags/:id/unpack',
    {
      config: operate,
      schema: {
        tags,
        summary: '拆袋取出包裹 / Take a parcel out of a bag that has not left',
        params: IdParams,
        body: Type.Object({ logisticsNo: Type.String({ maxLength: 60 }) }),
        response: { 200: Type.Object({ bag: Bag, parcel: WarehouseParcel }) },
      },
    },
    async (req) => dispatch.unpack(req.principal, req.params.id, req.body.logisticsNo),
  );
  r.post(
    '/api/v1/warehouse/bags/:id/load',
    {
      config: operate,
      schema: {
        tags,
        summary: '扫描装板 / Load a closed bag onto the pallet by scan',
        description:
          'The bag must be closed, not on another pallet, and of the pallet’s carrier and route; it leaves with the pallet.',
        params: IdParams,
        body: Type.Object({ bagNo: Type.String({ minLength: 1, maxLength: 37 }) }),
        response: { 200: Type.Object({ pallet: Bag, bag: Bag }) },
      },
    },
    async (req) => dispatch.loadBag(req.principal, req.params.id, req.body.bagNo),
  );
  r.post(
    '/api/v1/warehouse/bags/:id/close',
    { config: operate, schema: { tags, summary: '封袋 / Close the bag', params: IdParams, response: { 200: Bag } } },
    async (req) => dispatch.closeBag(req.principal, req.params.id),
  );
  r.post(
    '/api/v1/warehouse/dispatches',
    {
      config: operate,
      schema: {
        tags,
        summary: '出库 / Dispatch bags: sends the arrival (CEB507) to customs',
        description:
          'The bags of one carrier leave together; their parcels are named in one arrival with totalPackageNo = bag number. 201 whether customs accepted it or not: see returnStatus. All or nothing: 409 listing (errors[]) every parcel customs does not let move, with its bag and reason, and nothing changes.',
        body: DispatchInput,
        response: { 201: Dispatch },
      },
    },
    async (req, reply) => reply.code(201).send(await dispatch.dispatch(req.principal, req.body, req.id)),
  );
  if (deps.repair) {
    const { repair } = deps;
    r.post(
      '/api/v1/warehouse/dispatches/repair',
      {
        config: operate,
        schema: {
          tags,
          summary: '补记未完成的出库 / Complete dispatches left pending (ADR 0014)',
          description:
            'Dispatches pending for more than 5 minutes: completed when customs holds their arrival, else their bags go back to closed.',
          response: { 200: Type.Object({ completed: Type.Array(Dispatch), released: Type.Array(Dispatch) }) },
        },
      },
      async (req) => repair.repair(req.principal),
    );
  }
  r.get(
    '/api/v1/warehouse/dispatches/:id/waybill-list',
    {
      config: operate,
      schema: {
        tags,
        summary: '总分单清单 / The WayBillList for the total-sub bill (CEB607) of a dispatch',
        description:
          'Hand it to the declaring agent: billNo, carrier, and per parcel its bag (totalPackageNo) and inventory number.',
        params: IdParams,
      },
    },
    async (req) => dispatch.waybillList(req.principal, req.params.id),
  );
  r.get(
    '/api/v1/warehouse/waybill-lists',
    {
      config: { permission: 'ceb.submit' },
      schema: {
        tags,
        summary: '按提单号取出库总分单清单 / The dispatched parcels on a master bill, for the total-sub bill (CEB607)',
        description:
          'For the declaring agent or seller that files the CEB607: the parcels of every dispatch on this bill whose inventory names the caller, with bag and inventory number.',
        querystring: Type.Object({ billNo: Type.String({ minLength: 1, maxLength: 37 }) }),
      },
    },
    async (req) => dispatch.waybillListForDeclarant(req.principal, req.query.billNo),
  );
  r.get(
    '/api/v1/warehouse/dispatches',
    { config: operate, schema: { tags, summary: '出库记录 / Dispatches', response: { 200: Type.Array(Dispatch) } } },
    async (req) => dispatch.listDispatches(req.principal),
  );

  r.post(
    '/api/v1/warehouse/counts',
    {
      config: operate,
      schema: {
        tags,
        summary: '开始盘点 / Start a stock count',
        body: Type.Object({ location: Type.Optional(Type.String({ maxLength: 20 })) }),
        response: { 201: StockCount },
      },
    },
    async (req, reply) => reply.code(201).send(await warehouse.startCount(req.principal, req.body)),
  );
  r.get(
    '/api/v1/warehouse/counts',
    {
      config: operate,
      schema: {
        tags,
        summary: '盘点列表 / Stock counts, newest first (resume an open one)',
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])) }),
        response: { 200: Type.Array(StockCountSummary) },
      },
    },
    async (req) => warehouse.listCounts(req.principal, req.query),
  );
  r.get(
    '/api/v1/warehouse/counts/:id',
    {
      config: operate,
      schema: {
        tags,
        summary: '盘点及差异清单 / A stock count with its stored discrepancy list',
        params: IdParams,
        response: { 200: StockCount },
      },
    },
    async (req) => warehouse.getCount(req.principal, req.params.id),
  );
  r.post(
    '/api/v1/warehouse/counts/:id/scan',
    {
      config: operate,
      schema: {
        tags,
        summary: '盘点扫描 / Scan a parcel in a stock count',
        params: IdParams,
        body: Type.Object({
          logisticsNo: Type.String({ maxLength: 60 }),
          location: Type.Optional(Type.String({ maxLength: 20 })),
        }),
        response: { 200: Type.Object({ scanned: Type.Integer() }) },
      },
    },
    async (req) => warehouse.countScan(req.principal, req.params.id, req.body),
  );
  r.post(
    '/api/v1/warehouse/counts/:id/close',
    {
      config: operate,
      schema: {
        tags,
        summary: '结束盘点，差异清单 / Close the count: the discrepancy list',
        params: IdParams,
        response: { 200: StockCount },
      },
    },
    async (req) => warehouse.closeCount(req.principal, req.params.id),
  );
}
