/**
 * Which language the verification page speaks to a buyer who scanned a label:
 * 1. the one they chose on the page (`?lang=`), if it is offered;
 * 2. else the first offered one their browser accepts (Accept-Language, highest q first; q=0 means
 *    "not this one"; a regional tag counts as its language: `pt-BR` → `pt`);
 * 3. else the language of the country the traced parcel went to, if known and offered;
 * 4. else English.
 */
export function negotiateLanguage(input: {
  offered: readonly string[];
  requested?: string | undefined;
  acceptLanguage?: string | undefined;
  destination?: string | undefined;
}): string {
  const { offered } = input;
  const requested = input.requested?.trim().toLowerCase();
  if (requested && offered.includes(requested)) return requested;
  for (const l of acceptedLanguages(input.acceptLanguage)) if (offered.includes(l)) return l;
  if (input.destination && offered.includes(input.destination)) return input.destination;
  return 'en';
}

/**
 * The languages an Accept-Language header asks for, most wanted first (equal weights keep the
 * header's order), as primary subtags; `*`, q=0 and malformed entries are left out.
 */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  const ranked: { lang: string; q: number; at: number }[] = [];
  header.split(',').forEach((part, at) => {
    const [tag, ...params] = part.split(';').map((s) => s.trim());
    const m = /^([a-zA-Z]{1,8})(?:-[a-zA-Z0-9]{1,8})*$/.exec(tag ?? '');
    if (!m) return;
    let q = 1;
    for (const p of params) {
      const qm = /^q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i.exec(p);
      if (qm) q = Number(qm[1]);
      else if (/^q\s*=/i.test(p)) return; // a malformed weight: the entry is not understood
    }
    if (q > 0) ranked.push({ lang: m[1]!.toLowerCase(), q, at });
  });
  ranked.sort((a, b) => b.q - a.q || a.at - b.at);
  return [...new Set(ranked.map((r) => r.lang))];
}
