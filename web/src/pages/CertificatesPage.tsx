import { PlusOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Space, Tag, Typography, Upload } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { ConfirmDanger, FormError, ListCard } from '../components/ListCard.tsx';
import { Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

/** Labels of this page (not in the shared catalogue): Chinese first, English second. */
const LABEL = {
  title: { zh: '签名证书', en: 'Signing certificates' },
  intro: {
    zh: '登记本企业的签名证书（RSA 或 SM2）后，以 XML 发送的每份申报（appStatus 2）都须附有用已登记且在有效期内的证书所做的 XML 签名（可用 cbec sign 生成）；吊销后该证书的签名不再被接受。',
    en: 'Once your organisation registers a signing certificate (RSA or SM2), every declaration (appStatus 2) sent as XML must carry an XML signature made with a registered, currently valid certificate (cbec sign makes one); a revoked certificate’s signatures are no longer accepted.',
  },
  algorithm: { zh: '算法', en: 'Algorithm' },
  subject: { zh: '主题', en: 'Subject' },
  issuer: { zh: '颁发者', en: 'Issuer' },
  serial: { zh: '序列号', en: 'Serial number' },
  validity: { zh: '有效期', en: 'Validity' },
  status: { zh: '状态', en: 'Status' },
  active: { zh: '有效', en: 'Valid' },
  expired: { zh: '已过期', en: 'Expired' },
  notYet: { zh: '尚未生效', en: 'Not yet valid' },
  revoked: { zh: '已吊销', en: 'Revoked' },
  actions: { zh: '操作', en: 'Actions' },
  revoke: { zh: '吊销', en: 'Revoke' },
  revokeConfirm: {
    zh: '吊销后用该证书签名的申报将被拒收，且不能恢复。确定吊销吗？',
    en: 'Declarations signed with this certificate will be refused from now on, and this cannot be undone. Revoke it?',
  },
  revokedOk: { zh: '证书已吊销', en: 'Certificate revoked' },
  registerTitle: { zh: '登记证书', en: 'Register a certificate' },
  pem: { zh: '证书（PEM）', en: 'Certificate (PEM)' },
  pemHelp: {
    zh: '粘贴以 -----BEGIN CERTIFICATE----- 开头的证书，或选择 .pem / .crt 文件。只需证书，不要上传私钥。',
    en: 'Paste the certificate starting with -----BEGIN CERTIFICATE-----, or choose a .pem / .crt file. The certificate only: never upload the private key.',
  },
  pemRequired: { zh: '请粘贴或选择证书', en: 'paste or choose a certificate' },
  chooseFile: { zh: '选择文件', en: 'Choose file' },
  refresh: { zh: '刷新', en: 'Refresh' },
  register: { zh: '登记', en: 'Register' },
  registeredOk: { zh: '证书已登记', en: 'Certificate registered' },
  empty: { zh: '尚未登记签名证书：本企业的申报无须签名', en: 'No certificate registered: declarations need no signature' },
} as const;

/** `GET /api/v1/certificates` items (signature.schema.ts). */
interface Certificate {
  id: string;
  algorithm: 'rsa' | 'sm2';
  serialNumber: string;
  subject: string;
  issuer: string;
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  createdAt: string;
  revokedAt: string | null;
}

const KEY = ['certificates'] as const;

/** 签名证书: the organisation's certificates (algorithm, subject, validity), register one from a PEM, revoke. */
export default function CertificatesPage() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  const label = (k: keyof typeof LABEL): string => (en ? LABEL[k].en : LABEL[k].zh);
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ certificate: string }>();

  const list = useQuery({
    queryKey: KEY,
    queryFn: ({ signal }) => api<{ items: Certificate[] }>('/certificates', { signal }),
  });

  const register = useMutation({
    mutationFn: (pem: string) => api<Certificate>('/certificates', { method: 'POST', body: { certificate: pem.trim() } }),
    onSuccess: async () => {
      form.resetFields();
      void message.success(label('registeredOk'));
      await qc.invalidateQueries({ queryKey: KEY });
    },
  });

  const revoke = useMutation({
    mutationFn: (id: string) => api<Certificate>(`/certificates/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: async () => {
      void message.success(label('revokedOk'));
      await qc.invalidateQueries({ queryKey: KEY });
    },
    onError: (err) => void message.error(errorMessage(err, locale)),
  });

  const status = (c: Certificate) => {
    if (c.revokedAt)
      return (
        <Tag>
          {label('revoked')} · {formatDateTime(c.revokedAt, locale)}
        </Tag>
      );
    const now = Date.now();
    if (Date.parse(c.notAfter) <= now) return <Tag color="error">{label('expired')}</Tag>;
    if (Date.parse(c.notBefore) > now) return <Tag color="warning">{label('notYet')}</Tag>;
    return <Tag color="success">{label('active')}</Tag>;
  };

  const columns: TableColumnsType<Certificate> = [
    {
      title: label('algorithm'),
      dataIndex: 'algorithm',
      key: 'algorithm',
      render: (a: Certificate['algorithm']) => <Tag color={a === 'sm2' ? 'red' : 'blue'}>{a === 'sm2' ? 'SM2' : 'RSA'}</Tag>,
    },
    {
      title: label('subject'),
      key: 'subject',
      render: (_: unknown, c) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text className="pre-line">{c.subject}</Typography.Text>
          <Typography.Text type="secondary" className="pre-line">
            {label('issuer')}
            {en ? ': ' : '：'}
            {c.issuer}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: label('serial'),
      dataIndex: 'serialNumber',
      key: 'serialNumber',
      render: (s: string) => <Typography.Text code>{s}</Typography.Text>,
    },
    {
      title: label('validity'),
      key: 'validity',
      render: (_: unknown, c) => (
        <span className="nowrap">
          {formatDateTime(c.notBefore, locale)} – {formatDateTime(c.notAfter, locale)}
        </span>
      ),
    },
    { title: label('status'), key: 'status', render: (_: unknown, c) => status(c) },
    {
      title: label('actions'),
      key: 'actions',
      align: 'right',
      render: (_: unknown, c) =>
        c.revokedAt ? null : (
          <ConfirmDanger
            title={label('revoke')}
            description={<div className="confirm-text">{label('revokeConfirm')}</div>}
            loading={revoke.isPending && revoke.variables === c.id}
            onConfirm={() => revoke.mutateAsync(c.id).catch(() => undefined)}
            testId={`certificate-revoke-${c.id}`}
          >
            {label('revoke')}
          </ConfirmDanger>
        ),
    },
  ];

  return (
    <Page
      title={label('title')}
      testId="certificates-title"
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
          {label('refresh')}
        </Button>
      }
    >
      <ListCard intro={label('intro')} list={list} columns={columns} emptyText={label('empty')} testId="certificates-table" />

      <Card title={label('registerTitle')} style={{ marginTop: 16 }}>
        <Form form={form} layout="vertical" onFinish={(v) => register.mutate(v.certificate)} data-testid="certificate-form">
          <FormError of={register} testId="certificate-error" />
          <Form.Item
            name="certificate"
            label={label('pem')}
            extra={label('pemHelp')}
            rules={[{ required: true, whitespace: true, message: label('pemRequired') }]}
          >
            <Input.TextArea
              rows={8}
              spellCheck={false}
              placeholder={'-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----'}
              className="mono"
              data-testid="certificate-pem"
            />
          </Form.Item>
          <Space>
            <Upload
              accept=".pem,.crt,.cer,application/x-pem-file,application/x-x509-ca-cert"
              showUploadList={false}
              beforeUpload={(file) => {
                void file.text().then((text) => form.setFieldsValue({ certificate: text }));
                return false;
              }}
            >
              <Button icon={<UploadOutlined />} data-testid="certificate-file">
                {label('chooseFile')}
              </Button>
            </Upload>
            <Button
              type="primary"
              htmlType="submit"
              icon={<PlusOutlined />}
              loading={register.isPending}
              data-testid="certificate-submit"
            >
              {label('register')}
            </Button>
          </Space>
        </Form>
      </Card>
    </Page>
  );
}
