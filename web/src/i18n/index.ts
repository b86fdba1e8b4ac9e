import i18n from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import { en } from './en.ts';
import { zhCN, type Messages } from './zh-CN.ts';
import type { Locale } from '../types.ts';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages };
  }
}

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** Where the browser keeps the last language for the log-in page (the user's choice is on the server). */
const STORAGE_KEY = 'cbec.locale';

/** Maps anything the server or browser says (`en-US`, `zh`, `zh-CN` …) to a supported locale. */
export function normaliseLocale(value: string | null | undefined): Locale {
  if (!value) return DEFAULT_LOCALE;
  return value.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

function storedLocale(): Locale {
  try {
    return normaliseLocale(window.localStorage.getItem(STORAGE_KEY));
  } catch {
    return DEFAULT_LOCALE;
  }
}

function reflect(locale: Locale): void {
  document.documentElement.lang = locale;
  document.title = i18n.t('app.documentTitle');
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // private mode or storage disabled: the server still remembers the choice per user
  }
}

i18n.on('languageChanged', (lng) => reflect(normaliseLocale(lng)));

i18n
  .use(initReactI18next)
  .init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    lng: storedLocale(),
    fallbackLng: DEFAULT_LOCALE,
    supportedLngs: [...LOCALES],
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  })
  .catch((err: unknown) => {
    console.error('i18n initialisation failed', err);
  });

/** Switches the language of the page (the caller saves it for the user when logged in). */
export async function applyLocale(locale: Locale): Promise<void> {
  if (normaliseLocale(i18n.language) === locale) return;
  await i18n.changeLanguage(locale);
}

/** The current locale, re-rendering on change. */
export function useLocale(): Locale {
  const { i18n: instance } = useTranslation();
  return normaliseLocale(instance.language);
}

export { i18n };
