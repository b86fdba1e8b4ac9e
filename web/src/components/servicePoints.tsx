import { Tag } from 'antd';
import type { TFunction } from 'i18next';

/** The services an overseas service point offers (境外服务体系), as the API names them. */
export const SERVICES = ['agent_operation', 'customer_service', 'warehousing', 'data_services', 'legal_consulting'] as const;
export type Service = (typeof SERVICES)[number];

/** A service point as the directory shows it. */
export interface Point {
  id: string;
  name: string;
  country: string;
  city: string;
  services: Service[];
  contact: string;
  description: string;
}

/** The columns every list of service points starts with: name, place, services, contact. */
export function pointColumns<P extends Point>(t: TFunction) {
  return [
    { title: t('points.name'), dataIndex: 'name' as const },
    { title: t('points.country'), dataIndex: 'country' as const },
    { title: t('points.city'), dataIndex: 'city' as const },
    {
      title: t('points.service'),
      key: 's',
      render: (_: unknown, p: P) => p.services.map((s) => <Tag key={s}>{t(`points.services.${s}`)}</Tag>),
    },
    { title: t('points.contact'), dataIndex: 'contact' as const },
  ];
}
