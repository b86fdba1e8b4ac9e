import type { FieldProblem } from '../../../kernel/errors.ts';
import { isWebhookTopic, WEBHOOK_TOPICS, type WebhookTopic } from '../webhooks.tables.ts';

/** At most this many topics per subscription (every topic there is, today). */
export const MAX_TOPICS = 10;

/**
 * The topics a subscription chooses: at least one, each a known topic (WEBHOOK_TOPICS), none
 * twice. Answers the first problem, naming the field and the rule, or null.
 */
export function checkWebhookTopics(topics: readonly string[]): FieldProblem | null {
  const field = 'topics';
  if (topics.length === 0) {
    return { field, rule: 'minItems', message: { zh: '至少选择一个主题', en: 'choose at least one topic' } };
  }
  if (topics.length > MAX_TOPICS) {
    return {
      field,
      rule: 'maxItems',
      message: { zh: `最多 ${MAX_TOPICS} 个主题`, en: `at most ${MAX_TOPICS} topics` },
    };
  }
  const unknown = topics.find((t) => !isWebhookTopic(t));
  if (unknown !== undefined) {
    return {
      field,
      rule: 'enum',
      value: unknown,
      message: {
        zh: `未知主题 ${unknown}（可选：${WEBHOOK_TOPICS.join('、')}）`,
        en: `unknown topic ${unknown} (one of: ${WEBHOOK_TOPICS.join(', ')})`,
      },
    };
  }
  const twice = topics.find((t, i) => topics.indexOf(t) !== i);
  if (twice !== undefined) {
    return {
      field,
      rule: 'uniqueItems',
      value: twice,
      message: { zh: `主题 ${twice} 重复`, en: `topic ${twice} is listed twice` },
    };
  }
  return null;
}

/** The topics in WEBHOOK_TOPICS order (a subscription's stored order, its delivery order). */
export const orderedTopics = (topics: readonly WebhookTopic[]): WebhookTopic[] =>
  WEBHOOK_TOPICS.filter((t) => topics.includes(t));
