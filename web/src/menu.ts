import {
  AlertOutlined,
  ContainerOutlined,
  ControlOutlined,
  ScanOutlined,
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  EnvironmentOutlined,
  QrcodeOutlined,
  SafetyOutlined,
  BankOutlined,
  CalendarOutlined,
  CarOutlined,
  ClusterOutlined,
  DashboardOutlined,
  ExportOutlined,
  FileDoneOutlined,
  FileSearchOutlined,
  FileTextOutlined,
  GiftOutlined,
  IdcardOutlined,
  ImportOutlined,
  InboxOutlined,
  KeyOutlined,
  NotificationOutlined,
  SafetyCertificateOutlined,
  SendOutlined,
  ShopOutlined,
  SolutionOutlined,
  TableOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { MessageKey } from './i18n/zh-CN.ts';
import { hasPermission } from './session.tsx';
import type { Session } from './types.ts';

/**
 * The side menu and the routes behind it: one line per page. `visible` decides both whether the
 * item shows and whether the route opens (otherwise a 403 page). The menu item's label carries
 * `data-testid="menu-<key>"`.
 */
export interface MenuEntry {
  key: string;
  path: string;
  labelKey: MessageKey;
  icon: ComponentType;
  visible: (session: Session) => boolean;
  page: LazyExoticComponent<ComponentType>;
}

const everyone = (): boolean => true;
const can =
  (permission: string) =>
  (session: Session): boolean =>
    hasPermission(session, permission);
/** The organisation holds one of these enterprise roles (or agency duties). */
const orgHas =
  (...roles: string[]) =>
  (session: Session): boolean =>
    roles.some((r) => session.user.organisation?.roles.includes(r) ?? false);
const all =
  (...tests: ((session: Session) => boolean)[]) =>
  (session: Session): boolean =>
    tests.every((f) => f(session));
const any =
  (...tests: ((session: Session) => boolean)[]) =>
  (session: Session): boolean =>
    tests.some((f) => f(session));
const enterprise = (session: Session): boolean => session.user.organisation?.kind === 'enterprise';
const notEnterprise = (session: Session): boolean => !enterprise(session);
const seller = orgHas('ebc');
const brokerOnly = all(orgHas('agent'), (s) => !seller(s));
/** Customs officers (and the operator) see every kind of document of their jurisdiction. */
const officer = all(can('clearance.read'), notEnterprise);
const docs = (...roles: string[]) => all(can('clearance.read'), any(orgHas(...roles), officer));

const lazyDocs = (name: 'WaybillsPage' | 'ArrivalsPage' | 'ConsolidationsPage' | 'DeparturesPage' | 'SearchPage') =>
  lazy(() => import('./pages/DocumentPages.tsx').then((m) => ({ default: m[name] })));

// prettier-ignore
export const MENU: readonly MenuEntry[] = [
  { key: 'dashboard', path: '/', labelKey: 'menu.dashboard', icon: DashboardOutlined, visible: everyone, page: lazy(() => import('./pages/DashboardPage.tsx')) },
  { key: 'organisation', path: '/organisation', labelKey: 'menu.organisation', icon: BankOutlined, visible: (s) => s.user.organisation !== null, page: lazy(() => import('./pages/OrganisationPage.tsx')) },
  { key: 'filing', path: '/filing', labelKey: 'menu.filing', icon: SafetyCertificateOutlined, visible: all(can('filings.submit'), enterprise), page: lazy(() => import('./pages/FilingPage.tsx')) },
  { key: 'products', path: '/products', labelKey: 'menu.products', icon: GiftOutlined, visible: all(can('filings.submit'), seller), page: lazy(() => import('./pages/ProductsPage.tsx')) },
  { key: 'order-import', path: '/order-import', labelKey: 'menu.orderImport', icon: ImportOutlined, visible: all(can('orders.import'), seller), page: lazy(() => import('./pages/OrderImportPage.tsx')) },
  { key: 'drafts', path: '/drafts', labelKey: 'menu.drafts', icon: FileTextOutlined, visible: all(can('orders.read'), seller), page: lazy(() => import('./pages/DraftsPage.tsx')) },
  { key: 'to-declare', path: '/to-declare', labelKey: 'menu.toDeclare', icon: SendOutlined, visible: all(can('orders.declare'), brokerOnly), page: lazy(() => import('./pages/DraftsPage.tsx')) },
  { key: 'parcels', path: '/parcels', labelKey: 'menu.parcels', icon: InboxOutlined, visible: all(can('clearance.read'), seller), page: lazy(() => import('./pages/ParcelsPage.tsx')) },
  { key: 'inventories', path: '/inventories', labelKey: 'menu.inventories', icon: FileDoneOutlined, visible: all(can('clearance.read'), brokerOnly), page: lazy(() => import('./pages/ParcelsPage.tsx')) },
  { key: 'waybills', path: '/waybills', labelKey: 'menu.waybills', icon: CarOutlined, visible: docs('logistics'), page: lazyDocs('WaybillsPage') },
  { key: 'arrivals', path: '/arrivals', labelKey: 'menu.arrivals', icon: ShopOutlined, visible: docs('warehouse', 'logistics'), page: lazyDocs('ArrivalsPage') },
  { key: 'consolidations', path: '/consolidations', labelKey: 'menu.consolidations', icon: ClusterOutlined, visible: docs('agent', 'ebc', 'logistics', 'warehouse'), page: lazyDocs('ConsolidationsPage') },
  { key: 'departures', path: '/departures', labelKey: 'menu.departures', icon: ExportOutlined, visible: docs('logistics', 'warehouse'), page: lazyDocs('DeparturesPage') },
  { key: 'reviews', path: '/reviews', labelKey: 'menu.reviews', icon: SolutionOutlined, visible: can('clearance.review'), page: lazy(() => import('./pages/ReviewQueuePage.tsx')) },
  { key: 'search', path: '/search', labelKey: 'menu.search', icon: FileSearchOutlined, visible: officer, page: lazyDocs('SearchPage') },
  // risk & inspection (issue 5)
  { key: 'risk-hits', path: '/risk/hits', labelKey: 'menu.riskHits', icon: AlertOutlined, visible: can('risk.read'), page: lazy(() => import('./pages/RiskHitsPage.tsx')) },
  { key: 'risk-rules', path: '/risk/rules', labelKey: 'menu.riskRules', icon: ControlOutlined, visible: can('risk.manage'), page: lazy(() => import('./pages/RiskRulesPage.tsx')) },
  { key: 'inspection-tasks', path: '/inspection/tasks', labelKey: 'menu.inspectionTasks', icon: ScanOutlined, visible: can('inspection.read'), page: lazy(() => import('./pages/InspectionTasksPage.tsx')) },
  { key: 'inspection-filings', path: '/inspection/filings', labelKey: 'menu.inspectionFilings', icon: SafetyOutlined, visible: any(can('inspection.read'), all(can('inspection.filing'), seller)), page: lazy(() => import('./pages/InspectionFilingsPage.tsx')) },
  { key: 'inspection-batches', path: '/inspection/batches', labelKey: 'menu.inspectionBatches', icon: ContainerOutlined, visible: any(can('inspection.read'), all(can('inspection.filing'), seller)), page: lazy(() => import('./pages/InspectionBatchesPage.tsx')) },
  { key: 'inspection-declarations', path: '/inspection/declarations', labelKey: 'menu.inspectionDeclarations', icon: ContainerOutlined, visible: can('inspection.read'), page: lazy(() => import('./pages/InspectionDeclarationsPage.tsx')) },
  // logistics, warehouse, overseas (issue 7)
  { key: 'warehouse-floor', path: '/warehouse/floor', labelKey: 'menu.warehouseFloor', icon: ScanOutlined, visible: all(can('warehouse.operate'), orgHas('warehouse')), page: lazy(() => import('./pages/WarehouseFloorPage.tsx')) },
  { key: 'tracking', path: '/logistics/tracking', labelKey: 'menu.tracking', icon: CarOutlined, visible: all(can('logistics.read'), orgHas('ebc', 'logistics', 'warehouse')), page: lazy(() => import('./pages/LogisticsTrackingPage.tsx')) },
  { key: 'warehouse-bookings', path: '/warehouse/bookings', labelKey: 'menu.warehouseBookings', icon: InboxOutlined, visible: all(can('warehouse.book'), seller), page: lazy(() => import('./pages/WarehouseBookingsPage.tsx')) },
  { key: 'service-points', path: '/overseas/service-points', labelKey: 'menu.servicePoints', icon: ApartmentOutlined, visible: all(can('servicepoints.request'), orgHas('ebc', 'overseas')), page: lazy(() => import('./pages/OverseasServicePointsPage.tsx')) },
  { key: 'overseas-stock', path: '/overseas/stock', labelKey: 'menu.overseasStock', icon: ShopOutlined, visible: all(can('overseas.read'), orgHas('ebc', 'overseas')), page: lazy(() => import('./pages/OverseasStockPage.tsx')) },
  { key: 'carrier-services', path: '/logistics/services', labelKey: 'menu.carrierServices', icon: CarOutlined, visible: all(can('logistics.manage'), orgHas('logistics')), page: lazy(() => import('./pages/CarrierServicesPage.tsx')) },
  { key: 'overseas-provider', path: '/overseas/provider', labelKey: 'menu.overseasProvider', icon: ShopOutlined, visible: all(can('overseas.manage'), orgHas('overseas')), page: lazy(() => import('./pages/OverseasProviderPage.tsx')) },
  // summary, tax, forex (issue 6)
  { key: 'summary', path: '/summary', labelKey: 'menu.summary', icon: FileDoneOutlined, visible: all(can('summary.submit'), enterprise), page: lazy(() => import('./pages/SummaryPage.tsx')) },
  { key: 'holiday-calendar', path: '/summary/holiday-calendar', labelKey: 'menu.holidayCalendar', icon: CalendarOutlined, visible: can('summary.read'), page: lazy(() => import('./pages/HolidayCalendarPage.tsx')) },
  { key: 'tax-refunds', path: '/tax/refunds', labelKey: 'menu.taxRefunds', icon: BankOutlined, visible: all(can('tax.refunds'), seller), page: lazy(() => import('./pages/TaxPages.tsx').then((m) => ({ default: m.TaxRefundsPage }))) },
  { key: 'tax-desk', path: '/tax/desk', labelKey: 'menu.taxDesk', icon: AuditOutlined, visible: can('tax.review'), page: lazy(() => import('./pages/TaxPages.tsx').then((m) => ({ default: m.TaxDeskPage }))) },
  { key: 'forex-recon', path: '/forex/reconciliation', labelKey: 'menu.forexRecon', icon: BarChartOutlined, visible: all(can('forex.read'), seller), page: lazy(() => import('./pages/ForexPages.tsx').then((m) => ({ default: m.ForexReconciliationPage }))) },
  { key: 'forex-desk', path: '/forex/desk', labelKey: 'menu.forexDesk', icon: BarChartOutlined, visible: can('forex.review'), page: lazy(() => import('./pages/ForexPages.tsx').then((m) => ({ default: m.ForexDeskPage }))) },
  { key: 'forex-submit', path: '/forex/submit', labelKey: 'menu.forexSubmit', icon: ImportOutlined, visible: all(can('forex.submit'), any(orgHas('payment'), seller)), page: lazy(() => import('./pages/ForexPages.tsx').then((m) => ({ default: m.ForexSubmitPage }))) },
  { key: 'fx-accounts', path: '/forex/settlement-accounts', labelKey: 'menu.fxAccounts', icon: BankOutlined, visible: all(can('forex.read'), seller), page: lazy(() => import('./pages/SettlementAccountsPages.tsx').then((m) => ({ default: m.MySettlementAccountsPage }))) },
  { key: 'pboc-desk', path: '/pboc/desk', labelKey: 'menu.pbocDesk', icon: BankOutlined, visible: can('pboc.review'), page: lazy(() => import('./pages/ForexPages.tsx').then((m) => ({ default: m.PbocDeskPage }))) },
  // statistics, credit, trace, parks (issue 8)
  { key: 'stats', path: '/stats', labelKey: 'menu.stats', icon: BarChartOutlined, visible: can('statistics.read'), page: lazy(() => import('./pages/StatsPage.tsx')) },
  { key: 'credit', path: '/credit', labelKey: 'menu.credit', icon: SafetyOutlined, visible: can('credit.read'), page: lazy(() => import('./pages/CreditPage.tsx')) },
  { key: 'trace', path: '/trace', labelKey: 'menu.trace', icon: QrcodeOutlined, visible: all(can('trace.manage'), seller), page: lazy(() => import('./pages/TracePage.tsx')) },
  { key: 'trace-inspection', path: '/trace/inspection', labelKey: 'menu.traceInspection', icon: SafetyCertificateOutlined, visible: all(can('trace.manage'), can('inspection.work'), (s) => s.user.organisation?.kind === 'agency'), page: lazy(() => import('./pages/TraceInspectionPage.tsx')) },
  { key: 'parks', path: '/parks', labelKey: 'menu.parks', icon: EnvironmentOutlined, visible: everyone, page: lazy(() => import('./pages/ParksPage.tsx')) },
  { key: 'programme-review', path: '/parks/review', labelKey: 'menu.programmeReview', icon: AuditOutlined, visible: can('parks.manage'), page: lazy(() => import('./pages/ProgrammeReviewPage.tsx')) },
  { key: 'parks-roster', path: '/parks/roster', labelKey: 'menu.parksRoster', icon: SolutionOutlined, visible: can('parks.manage'), page: lazy(() => import('./pages/TrainingRosterPage.tsx')) },
  { key: 'programme-admin', path: '/parks/programmes', labelKey: 'menu.programmeAdmin', icon: ControlOutlined, visible: can('parks.manage'), page: lazy(() => import('./pages/ProgrammeAdminPage.tsx')) },
  { key: 'my-applications', path: '/parks/applications', labelKey: 'menu.myApplications', icon: FileDoneOutlined, visible: all(can('parks.apply'), enterprise), page: lazy(() => import('./pages/ParksMinePages.tsx').then((m) => ({ default: m.MyApplicationsPage }))) },
  { key: 'my-training', path: '/parks/training', labelKey: 'menu.myTraining', icon: SafetyCertificateOutlined, visible: all(can('parks.apply'), enterprise), page: lazy(() => import('./pages/ParksMinePages.tsx').then((m) => ({ default: m.MyTrainingPage }))) },
  { key: 'filing-review', path: '/filing-review', labelKey: 'menu.filingReview', icon: AuditOutlined, visible: can('filings.review'), page: lazy(() => import('./pages/FilingReviewPage.tsx')) },
  { key: 'receipts', path: '/receipts', labelKey: 'menu.receipts', icon: NotificationOutlined, visible: all(can('clearance.read'), enterprise), page: lazy(() => import('./pages/ReceiptsPage.tsx')) },
  { key: 'api-keys', path: '/api-keys', labelKey: 'menu.apiKeys', icon: KeyOutlined, visible: can('apikeys.manage'), page: lazy(() => import('./pages/ApiKeysPage.tsx')) },
  { key: 'webhooks', path: '/webhooks', labelKey: 'menu.webhooks', icon: SendOutlined, visible: all(can('webhooks.manage'), enterprise), page: lazy(() => import('./pages/WebhooksPage.tsx')) },
  { key: 'certificates', path: '/certificates', labelKey: 'menu.certificates', icon: IdcardOutlined, visible: all(can('signatures.manage'), enterprise), page: lazy(() => import('./pages/CertificatesPage.tsx')) },
  { key: 'users', path: '/users', labelKey: 'menu.users', icon: TeamOutlined, visible: can('users.manage'), page: lazy(() => import('./pages/UsersPage.tsx')) },
  { key: 'account', path: '/account', labelKey: 'account.title', icon: UserOutlined, visible: everyone, page: lazy(() => import('./pages/AccountPage.tsx')) },
  { key: 'organisations', path: '/organisations', labelKey: 'menu.organisations', icon: ApartmentOutlined, visible: can('organisations.read_all'), page: lazy(() => import('./pages/OrganisationsPage.tsx')) },
  { key: 'codes', path: '/codes', labelKey: 'menu.codes', icon: TableOutlined, visible: everyone, page: lazy(() => import('./pages/CodesPage.tsx')) },
  { key: 'audit', path: '/audit', labelKey: 'menu.audit', icon: AuditOutlined, visible: can('audit.read'), page: lazy(() => import('./pages/AuditPage.tsx')) },
];

/** The menu entry a location belongs to (longest matching path). */
export function entryForPath(pathname: string): MenuEntry | undefined {
  let best: MenuEntry | undefined;
  for (const entry of MENU) {
    const hit = entry.path === '/' ? pathname === '/' : pathname === entry.path || pathname.startsWith(`${entry.path}/`);
    if (hit && (!best || entry.path.length > best.path.length)) best = entry;
  }
  return best;
}
