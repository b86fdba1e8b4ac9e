import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { applyLocale, LOCALES, useLocale } from '../i18n/index.ts';
import { rememberLocale, SESSION_KEY } from '../session.tsx';
import type { Locale } from '../types.ts';

/**
 * 中文 / English. Logged in, the choice is saved for the user (`PUT /api/v1/auth/me/locale`)
 * and applied at the next log-in; on the log-in page it only changes the page.
 */
export function LanguageSwitch({ saveForUser }: { saveForUser: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const queryClient = useQueryClient();
  const { message } = App.useApp();

  const save = useMutation({
    mutationFn: async (next: Locale) => {
      await queryClient.cancelQueries({ queryKey: SESSION_KEY });
      await api<undefined>('/auth/me/locale', { method: 'PUT', body: { locale: next } });
      return next;
    },
    onSuccess: (next) => rememberLocale(queryClient, next),
    onError: (err, next) => {
      void message.error(t('lang.saveFailed', { message: errorMessage(err, next) }));
    },
  });

  const change = async (next: Locale): Promise<void> => {
    await applyLocale(next);
    if (saveForUser) await save.mutateAsync(next).catch(() => undefined);
  };

  return (
    <Segmented<Locale>
      aria-label={t('lang.label')}
      data-testid="lang-switch"
      value={locale}
      disabled={save.isPending}
      onChange={(next) => {
        change(next).catch((err: unknown) => console.error(err));
      }}
      options={LOCALES.map((l) => ({
        value: l,
        label: <span data-testid={`lang-${l}`}>{t(`lang.${l}`)}</span>,
      }))}
    />
  );
}
