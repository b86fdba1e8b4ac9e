import { useTranslation } from 'react-i18next';

/** The product name 「CBEC Window 单一窗口」 with its mark, for the side bar and log-in page. */
export function Brand({ collapsed = false, light = false }: { collapsed?: boolean; light?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className={`brand${light ? ' brand-light' : ''}`} data-testid="brand">
      <img src="/favicon.svg" alt="" className="brand-mark" width={36} height={36} />
      {collapsed ? null : (
        <div className="brand-text">
          <div className="brand-name">{t('app.brand')}</div>
          <div className="brand-sub">{t('app.brandSub')}</div>
        </div>
      )}
    </div>
  );
}
