import { Type } from 'typebox';

const Str = Type.String();
const Days = Type.Array(Str);

export const HolidayYearQuery = Type.Object({
  year: Type.Integer({ description: 'the arrangement year, e.g. 2027' }),
});

export const HolidayDayInput = Type.Object(
  {
    date: Type.String({ maxLength: 40, description: 'YYYY-MM-DD' }),
    kind: Type.String({ maxLength: 40, description: 'holiday (放假) | workday (调休上班, a Saturday or Sunday)' }),
    name: Type.String({ maxLength: 200, description: '节日名称, e.g. 春节' }),
    source: Type.String({
      maxLength: 400,
      description: 'the notice it comes from, e.g. 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）',
    }),
  },
  { additionalProperties: false },
);

export const HolidayAddBody = Type.Object(
  {
    year: Type.Integer({ description: 'the arrangement year the days belong to' }),
    days: Type.Array(HolidayDayInput, {
      maxItems: 120,
      description: 'days to enter, all or none; per-day errors name days[index] (from 0)',
    }),
  },
  { additionalProperties: false },
);

export const HolidayRemoveQuery = Type.Object({
  date: Type.String({ maxLength: 40, description: 'the entered day to remove, YYYY-MM-DD' }),
});

const Source = Type.Union([
  Type.Literal('database'),
  Type.Literal('builtin'),
  Type.Literal('provisional'),
  Type.Literal('uncovered'),
]);

export const HolidayYearSchema = Type.Object({
  year: Type.Integer(),
  source: Type.Union([Source], {
    description:
      'database: entered on the platform (confirmed); builtin: the platform’s data (confirmed); provisional: statutory rest days only (暂定); uncovered: cannot be told',
  }),
  confirmed: Type.Boolean(),
  entries: Type.Array(
    Type.Object({
      date: Str,
      kind: Type.Union([Type.Literal('holiday'), Type.Literal('workday')]),
      name: Str,
      source: Str,
      createdAt: Str,
    }),
  ),
  effective: Type.Object({ holidays: Days, workdays: Days }, { description: 'the days the deadlines use now' }),
  builtIn: Type.Object(
    { source: Source, holidays: Days, workdays: Days },
    { description: 'the built-in (or provisional) days: what applies again once every entry of the year is removed' },
  ),
  deadlines: Type.Array(Type.Object({ period: Str, deadline: Type.Union([Str, Type.Null()]), provisional: Type.Boolean() }), {
    description: 'the summary deadlines falling due in the year',
  }),
});
