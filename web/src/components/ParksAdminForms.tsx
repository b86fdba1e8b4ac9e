import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Form, Input, InputNumber, Row, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { useLocale } from '../i18n/index.ts';
import { programmeBody, rulesJsonRule, type ProgrammeBasics } from './programmeForm.ts';

interface ParkForm {
  name: string;
  nameEn?: string;
  region: string;
  kind: 'park' | 'distribution_centre';
  address?: string;
  members?: string;
}
interface OfferingForm {
  kind: 'course' | 'event';
  title: string;
  titleEn?: string;
  startsAt: string;
  endsAt: string;
  place: string;
  capacity: number;
}

/** `datetime-local` has no zone: the officer means China Standard Time. */
const cst = (local: string): string => new Date(`${local}:00+08:00`).toISOString();

/** The commerce officer's forms: register a park, schedule a course or event, publish a programme. */
export function ParksAdminForms() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [park] = Form.useForm<ParkForm>();
  const [offering] = Form.useForm<OfferingForm>();
  const [programme] = Form.useForm<ProgrammeBasics>();
  const done = (key: string, reset: () => void) => () => {
    void message.success(t('parksAdmin.created'));
    reset();
    void qc.invalidateQueries({ queryKey: [key] });
  };
  const fail = (e: unknown) => void message.error(errorMessage(e, locale));

  const createPark = useMutation({
    mutationFn: (v: ParkForm) =>
      api('/parks', {
        method: 'POST',
        body: {
          name: v.name,
          region: v.region,
          kind: v.kind,
          ...(v.nameEn ? { nameEn: v.nameEn } : {}),
          ...(v.address ? { address: v.address } : {}),
          memberCodes: (v.members ?? '')
            .split(/[,，\s]+/)
            .map((s) => s.trim())
            .filter(Boolean),
        },
      }),
    onSuccess: done('parks', () => park.resetFields()),
    onError: fail,
  });
  const createOffering = useMutation({
    mutationFn: (v: OfferingForm) =>
      api('/offerings', {
        method: 'POST',
        body: {
          kind: v.kind,
          title: v.title,
          ...(v.titleEn ? { titleEn: v.titleEn } : {}),
          startsAt: cst(v.startsAt),
          endsAt: cst(v.endsAt),
          place: v.place,
          capacity: v.capacity,
        },
      }),
    onSuccess: done('offerings', () => offering.resetFields()),
    onError: fail,
  });
  const createProgramme = useMutation({
    mutationFn: (v: ProgrammeBasics) => api('/programmes', { method: 'POST', body: programmeBody(v) }),
    onSuccess: done('programmes', () => programme.resetFields()),
    onError: fail,
  });
  return (
    <Card size="small" title={t('parksAdmin.heading')} style={{ marginBottom: 16 }} data-testid="parks-admin">
      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <Card size="small" type="inner" title={t('parksAdmin.newPark')}>
            <Form<ParkForm>
              form={park}
              layout="vertical"
              size="small"
              initialValues={{ kind: 'park' }}
              onFinish={(v) => createPark.mutate(v)}
            >
              <Form.Item name="name" label={t('parksAdmin.name')} rules={[{ required: true, max: 200 }]}>
                <Input data-testid="park-name" />
              </Form.Item>
              <Form.Item name="nameEn" label={t('parksAdmin.nameEn')} rules={[{ max: 200 }]}>
                <Input />
              </Form.Item>
              <Form.Item name="region" label={t('parksAdmin.region')} rules={[{ required: true, max: 10 }]}>
                <Input data-testid="park-region" placeholder="36012" />
              </Form.Item>
              <Form.Item name="kind" label={t('parksAdmin.kind')}>
                <Select
                  options={[
                    { value: 'park', label: t('parksAdmin.park') },
                    { value: 'distribution_centre', label: t('parksAdmin.centre') },
                  ]}
                />
              </Form.Item>
              <Form.Item name="address" label={t('parksAdmin.address')} rules={[{ max: 300 }]}>
                <Input />
              </Form.Item>
              <Form.Item name="members" label={t('parksAdmin.members')}>
                <Input />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={createPark.isPending} data-testid="park-create">
                {t('parksAdmin.create')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" type="inner" title={t('parksAdmin.newOffering')}>
            <Form<OfferingForm>
              form={offering}
              layout="vertical"
              size="small"
              initialValues={{ kind: 'course', capacity: 30 }}
              onFinish={(v) => createOffering.mutate(v)}
            >
              <Form.Item name="kind" label={t('parksAdmin.kind')}>
                <Select
                  options={[
                    { value: 'course', label: t('parksAdmin.course') },
                    { value: 'event', label: t('parksAdmin.event') },
                  ]}
                />
              </Form.Item>
              <Form.Item name="title" label={t('parksAdmin.title')} rules={[{ required: true, max: 200 }]}>
                <Input data-testid="offering-title" />
              </Form.Item>
              <Form.Item name="titleEn" label={t('parksAdmin.titleEn')} rules={[{ max: 200 }]}>
                <Input />
              </Form.Item>
              <Form.Item name="startsAt" label={t('parksAdmin.startsAt')} rules={[{ required: true }]}>
                <Input type="datetime-local" data-testid="offering-starts" />
              </Form.Item>
              <Form.Item name="endsAt" label={t('parksAdmin.endsAt')} rules={[{ required: true }]}>
                <Input type="datetime-local" data-testid="offering-ends" />
              </Form.Item>
              <Form.Item name="place" label={t('parksAdmin.place')} rules={[{ required: true, max: 200 }]}>
                <Input data-testid="offering-place" />
              </Form.Item>
              <Form.Item name="capacity" label={t('parksAdmin.capacity')} rules={[{ required: true }]}>
                <InputNumber min={1} max={100000} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={createOffering.isPending} data-testid="offering-create">
                {t('parksAdmin.create')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" type="inner" title={t('parksAdmin.newProgramme')}>
            <Form<ProgrammeBasics>
              form={programme}
              layout="vertical"
              size="small"
              initialValues={{ category: 'training', rules: '[{"metric": "exportsCny", "op": ">=", "value": 100000}]' }}
              onFinish={(v) => createProgramme.mutate(v)}
            >
              <Form.Item name="name" label={t('parksAdmin.name')} rules={[{ required: true, max: 200 }]}>
                <Input data-testid="programme-name" />
              </Form.Item>
              <Form.Item name="category" label={t('parksAdmin.category')}>
                <Select options={['park', 'training', 'overseas_service', 'new_model'].map((c) => ({ value: c, label: c }))} />
              </Form.Item>
              <Form.Item name="opensOn" label={t('parksAdmin.opensOn')} rules={[{ required: true }]}>
                <Input type="date" data-testid="programme-opens" />
              </Form.Item>
              <Form.Item name="closesOn" label={t('parksAdmin.closesOn')} rules={[{ required: true }]}>
                <Input type="date" data-testid="programme-closes" />
              </Form.Item>
              <Form.Item name="rules" label={t('parksAdmin.rules')} rules={[rulesJsonRule(t)]}>
                <Input.TextArea rows={3} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={createProgramme.isPending} data-testid="programme-create">
                {t('parksAdmin.create')}
              </Button>
            </Form>
          </Card>
        </Col>
      </Row>
    </Card>
  );
}
