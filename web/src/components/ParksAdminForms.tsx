import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ButtonProps } from 'antd';
import type { ReactNode } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, InputNumber, Modal, Row, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { useLocale } from '../i18n/index.ts';
import { cstTime, type Offering, type Park } from '../parks.ts';
import { EligibilityRulesEditor } from './EligibilityRulesEditor.tsx';
import { programmeBody, type ProgrammeBasics } from './programmeForm.ts';

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
/** A stored time as `datetime-local` shows it, in China Standard Time. */
const cstLocal = (iso: string): string => cstTime(iso).replace(' ', 'T');

/** The fields of a park (register and edit alike); `testIds` marks the register form's. */
function ParkFields({ testIds = false }: { testIds?: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item name="name" label={t('parksAdmin.name')} rules={[{ required: true, whitespace: true, max: 200 }]}>
        <Input data-testid={testIds ? 'park-name' : 'park-edit-name'} />
      </Form.Item>
      <Form.Item name="nameEn" label={t('parksAdmin.nameEn')} rules={[{ max: 200 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="region" label={t('parksAdmin.region')} rules={[{ required: true, whitespace: true, max: 10 }]}>
        <Input data-testid={testIds ? 'park-region' : 'park-edit-region'} placeholder="36012" />
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
        <Input data-testid={testIds ? undefined : 'park-edit-address'} />
      </Form.Item>
    </>
  );
}

/** The fields of a course or event but its kind (schedule and edit alike). */
function OfferingFields({ testIds = false }: { testIds?: boolean }) {
  const { t } = useTranslation();
  const id = (create: string, edit: string) => (testIds ? create : edit);
  return (
    <>
      <Form.Item name="title" label={t('parksAdmin.title')} rules={[{ required: true, whitespace: true, max: 200 }]}>
        <Input data-testid={id('offering-title', 'offering-edit-title')} />
      </Form.Item>
      <Form.Item name="titleEn" label={t('parksAdmin.titleEn')} rules={[{ max: 200 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="startsAt" label={t('parksAdmin.startsAt')} rules={[{ required: true }]}>
        <Input type="datetime-local" data-testid={id('offering-starts', 'offering-edit-starts')} />
      </Form.Item>
      <Form.Item name="endsAt" label={t('parksAdmin.endsAt')} rules={[{ required: true }]}>
        <Input type="datetime-local" data-testid={id('offering-ends', 'offering-edit-ends')} />
      </Form.Item>
      <Form.Item name="place" label={t('parksAdmin.place')} rules={[{ required: true, whitespace: true, max: 200 }]}>
        <Input data-testid={id('offering-place', 'offering-edit-place')} />
      </Form.Item>
      <Form.Item name="capacity" label={t('parksAdmin.capacity')} rules={[{ required: true }]}>
        <InputNumber min={1} max={100000} data-testid={id('offering-capacity', 'offering-edit-capacity')} />
      </Form.Item>
    </>
  );
}

/**
 * An edit dialog: the form, the server's refusal (in the user's language) above it, and on save the
 * catalogue refetched.
 */
function EditModal<V extends object>({
  title,
  initialValues,
  send,
  refresh,
  onClose,
  children,
}: {
  title: string;
  initialValues: V;
  send: (v: V) => Promise<unknown>;
  refresh: string[];
  onClose: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<V>();
  const save = useMutation({
    mutationFn: send,
    onSuccess: () => {
      void message.success(t('parksEdit.saved'));
      for (const key of refresh) void qc.invalidateQueries({ queryKey: [key] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('parksEdit.save')}
      okButtonProps={{ 'data-testid': 'edit-save' } as ButtonProps}
      confirmLoading={save.isPending}
      destroyOnHidden
      width={640}
    >
      {save.error ? (
        <Alert type="error" showIcon className="block-gap" title={errorMessage(save.error, locale)} data-testid="edit-error" />
      ) : null}
      <Form<V>
        form={form}
        layout="vertical"
        // antd's form typing wants a RecursivePartial of the values: the full values are one
        initialValues={initialValues as Parameters<typeof Form<V>>[0]['initialValues']}
        onFinish={(v) => save.mutate(v)}
      >
        {children}
      </Form>
    </Modal>
  );
}

/** Edits a park: every field sent, an empty English name or address cleared. */
export function ParkEditModal({ park, onClose }: { park: Park; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <EditModal<Omit<ParkForm, 'members'>>
      title={t('parksEdit.editPark', { name: park.name })}
      initialValues={{
        name: park.name,
        nameEn: park.name_en ?? '',
        region: park.region,
        kind: park.kind as ParkForm['kind'],
        address: park.address ?? '',
      }}
      send={(v) =>
        api(`/parks/${park.id}`, {
          method: 'PATCH',
          body: {
            name: v.name.trim(),
            nameEn: v.nameEn?.trim() || null,
            region: v.region.trim(),
            kind: v.kind,
            address: v.address?.trim() || null,
          },
        })
      }
      refresh={['parks']}
      onClose={onClose}
    >
      <ParkFields />
    </EditModal>
  );
}

/** Reschedules or corrects a course or event (its kind stays): times in China Standard Time. */
export function OfferingEditModal({ offering, onClose }: { offering: Offering; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <EditModal<Omit<OfferingForm, 'kind'>>
      title={t('parksEdit.editOffering', { name: offering.title })}
      initialValues={{
        title: offering.title,
        titleEn: offering.titleEn ?? '',
        startsAt: cstLocal(offering.startsAt),
        endsAt: cstLocal(offering.endsAt),
        place: offering.place,
        capacity: offering.capacity,
      }}
      send={(v) =>
        api(`/offerings/${offering.id}`, {
          method: 'PATCH',
          body: {
            title: v.title.trim(),
            titleEn: v.titleEn?.trim() || null,
            startsAt: cst(v.startsAt),
            endsAt: cst(v.endsAt),
            place: v.place.trim(),
            capacity: v.capacity,
          },
        })
      }
      refresh={['offerings', 'my-enrolments']}
      onClose={onClose}
    >
      <OfferingFields />
    </EditModal>
  );
}

/**
 * Closes (archives) a park, course or event, or programme: the button's confirmation says what
 * closing means for it; the catalogues are refetched after.
 */
export function useCloseAction(what: 'parks' | 'offerings' | 'programmes') {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api(`/${what}/${id}/close`, { method: 'POST' }),
    onSuccess: () => {
      void message.success(t('parksEdit.closedDone'));
      void qc.invalidateQueries({ queryKey: [what] });
      if (what === 'programmes') void qc.invalidateQueries({ queryKey: ['admin-programmes'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
}

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
              <ParkFields testIds />
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
              <OfferingFields testIds />
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
              initialValues={{ category: 'training', rules: [{ metric: 'exportsCny', op: '>=', value: 100000 }] }}
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
              <EligibilityRulesEditor label={t('parksAdmin.rules')} compact />
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
