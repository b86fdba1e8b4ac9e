import { useQuery } from '@tanstack/react-query';
import { api } from './api.ts';

/** The public catalogues of issue 8 (parks, courses and events, support programmes), as the API gives them. */
export interface Park {
  id: string;
  name: string;
  name_en: string | null;
  region: string;
  kind: string;
  address: string | null;
  members: number;
}
export interface Offering {
  id: string;
  kind: 'course' | 'event';
  title: string;
  titleEn: string | null;
  startsAt: string;
  endsAt: string;
  place: string;
  capacity: number;
  enrolled: number;
  seatsLeft: number;
}
export interface Programme {
  id: string;
  name: string;
  category: string;
  opensOn: string;
  closesOn: string;
}

const CST_MS = 8 * 3_600_000;
/** Times as the organisers mean them: China Standard Time (UTC+8), whatever the browser's zone. */
export const cstTime = (v: string): string =>
  new Date(new Date(v).getTime() + CST_MS).toISOString().slice(0, 16).replace('T', ' ');
export const cstToday = (): string => new Date(Date.now() + CST_MS).toISOString().slice(0, 10);

/** The three catalogues, from the public API (no session needed); one cache for every page. */
export function useParkCatalogues() {
  const parks = useQuery({ queryKey: ['parks'], queryFn: ({ signal }) => api<{ items: Park[] }>('/public/parks', { signal }) });
  const offerings = useQuery({
    queryKey: ['offerings'],
    queryFn: ({ signal }) => api<{ items: Offering[] }>('/public/offerings', { signal }),
  });
  const programmes = useQuery({
    queryKey: ['programmes'],
    queryFn: ({ signal }) => api<{ items: Programme[] }>('/public/programmes', { signal }),
  });
  return { parks, offerings, programmes };
}
