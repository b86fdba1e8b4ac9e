import type { ThemeConfig } from 'antd';

/** Calm blue, big type, generous spacing: an administrative tool used all day. */
export const PRIMARY = '#1e63b5';
export const SIDER_BG = '#0d2747';

export const theme: ThemeConfig = {
  token: {
    colorPrimary: PRIMARY,
    colorInfo: PRIMARY,
    colorLink: PRIMARY,
    colorSuccess: '#2e9d5b',
    colorWarning: '#d48806',
    colorError: '#c9372c',
    borderRadius: 6,
    fontSize: 15,
    controlHeight: 36,
    colorBgLayout: '#f2f5f9',
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Zen Hei', 'Helvetica Neue', Arial, sans-serif",
  },
  components: {
    Layout: {
      siderBg: SIDER_BG,
      triggerBg: '#0a1f3a',
      headerBg: '#ffffff',
      headerHeight: 64,
      headerPadding: '0 24px',
    },
    Menu: {
      darkItemBg: SIDER_BG,
      darkSubMenuItemBg: SIDER_BG,
      darkItemSelectedBg: PRIMARY,
      darkItemColor: 'rgba(255,255,255,0.78)',
      itemHeight: 48,
      iconSize: 17,
      fontSize: 16,
    },
    Table: {
      headerBg: '#f5f8fc',
    },
    Card: {
      headerFontSize: 17,
    },
  },
};
