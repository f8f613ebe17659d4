/* Transactions kept in the caller's arrays (crm_base_builder_keep_transactions_int): a
 * base reads them in place, answers segments and the summary as a base of copies does
 * (the same JSON), and calls the release callback exactly once, when it no longer reads
 * them: when it groups its transactions, when it is freed, or at once on a refusal. */
#include "check.h"

/* The caller's arrays and how often they were released. */
typedef struct {
    int64_t *ids;
    int64_t *times;
    double *amounts;
    int released;
} batch;

static void release_batch(void *context) {
    batch *b = (batch *)context;
    free(b->ids);
    free(b->times);
    free(b->amounts);
    b->ids = NULL;
    b->times = NULL;
    b->amounts = NULL;
    b->released++;
}

/* 3,000 rows of 400 customers over 2023 and 2024 (in time order, rows of one customer on
 * a day one after another), amounts with refunds. Days or seconds as `unit` says. */
enum { ROWS = 3000 };
static batch make(crm_time_unit unit) {
    batch b = {malloc(ROWS * sizeof(int64_t)), malloc(ROWS * sizeof(int64_t)), malloc(ROWS * sizeof(double)), 0};
    int i;
    for (i = 0; i < ROWS; i++) {
        int64_t d = day(2023, 1, 1) + (int64_t)i * 730 / ROWS;
        b.ids[i] = 1000 + (i * 7) % 400;
        b.times[i] = unit == CRM_TIME_UNIT_DAYS ? d : d * 86400 + (i % 5) * 3600;
        b.amounts[i] = (i % 11 == 0) ? -12.5 : 10.0 + (i % 37) * 2.25;
    }
    return b;
}

static crm_base *kept_base(batch *b, crm_time_unit unit) {
    crm_base_builder *builder = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&builder));
    CHECK_OK(crm_base_builder_keep_transactions_int(builder, b->ids, ROWS, b->times, ROWS, unit, b->amounts, ROWS,
                                                    release_batch, b));
    CHECK_OK(crm_base_builder_build(builder, &base));
    crm_base_builder_free(builder);
    return base;
}

static crm_base *copied_base(const batch *b, crm_time_unit unit) {
    crm_base_builder *builder = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&builder));
    CHECK_OK(crm_base_builder_add_transactions_int(builder, b->ids, ROWS, b->times, ROWS, unit, b->amounts, ROWS,
                                                   NULL, 0));
    CHECK_OK(crm_base_builder_build(builder, &base));
    crm_base_builder_free(builder);
    return base;
}

/* Segments (a 180-day window) and summary as of 2024-09-30, as one JSON text. */
static char *answers(const crm_base *base) {
    crm_segments_config config = crm_segments_config_default();
    config.window_days = 180;
    crm_segments *s = NULL;
    crm_summary *m = NULL;
    char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    CHECK_OK(crm_segments_new(base, day(2024, 9, 30), &config, &s));
    CHECK_OK(crm_summary_new(base, day(2024, 9, 30), NULL, &m));
    CHECK_OK(crm_segments_to_json(s, &a, &la));
    CHECK_OK(crm_summary_to_json(m, &b, &lb));
    char *out = malloc(la + lb + 1);
    memcpy(out, a, la);
    memcpy(out + la, b, lb + 1);
    crm_string_free(a);
    crm_string_free(b);
    crm_segments_free(s);
    crm_summary_free(m);
    return out;
}

static void kept_answers_as_copied_and_is_released_once(crm_time_unit unit) {
    batch b = make(unit);
    crm_base *copied = copied_base(&b, unit);
    char *expected = answers(copied);
    crm_base *base = kept_base(&b, unit);
    CHECK(b.released == 0);
    char *got = answers(base);
    CHECK(strcmp(got, expected) == 0);
    CHECK(b.released == 0); /* segments and summary read the arrays in place */
    /* A lifecycle groups the transactions (a copy of their own): released now. */
    crm_lifecycle *l = NULL;
    CHECK_OK(crm_lifecycle_new(base, day(2024, 9, 30), NULL, &l));
    crm_lifecycle_free(l);
    CHECK(b.released == 1 && b.ids == NULL);
    char *again = answers(base);
    CHECK(strcmp(again, expected) == 0);
    crm_base_free(base);
    CHECK(b.released == 1);
    free(expected);
    free(got);
    free(again);
    crm_base_free(copied);

    /* Freed without grouping: released with the base. */
    batch c = make(unit);
    base = kept_base(&c, unit);
    CHECK(crm_base_transaction_count(base) == ROWS);
    CHECK(c.released == 0);
    crm_base_free(base);
    CHECK(c.released == 1);
}

static void a_refused_batch_is_released_at_once(void) {
    crm_base_builder *builder = NULL;
    CHECK_OK(crm_base_builder_new(&builder));
    /* A NaN amount at row 2: refused as the copying add refuses it, released before the
     * call returns. */
    batch b = make(CRM_TIME_UNIT_SECONDS);
    b.amounts[2] = NAN;
    CHECK_FAILS(crm_base_builder_keep_transactions_int(builder, b.ids, ROWS, b.times, ROWS, CRM_TIME_UNIT_SECONDS,
                                                       b.amounts, ROWS, release_batch, &b),
                CRM_RESULT_INVALID_VALUE, "row 2");
    CHECK(b.released == 1);
    /* Lengths that disagree, an unknown time unit: the same. */
    batch c = make(CRM_TIME_UNIT_SECONDS);
    CHECK_FAILS(crm_base_builder_keep_transactions_int(builder, c.ids, ROWS, c.times, ROWS - 1, CRM_TIME_UNIT_SECONDS,
                                                       c.amounts, ROWS, release_batch, &c),
                CRM_RESULT_LENGTH_MISMATCH, "");
    CHECK(c.released == 1);
    batch d = make(CRM_TIME_UNIT_SECONDS);
    CHECK_FAILS(crm_base_builder_keep_transactions_int(builder, d.ids, ROWS, d.times, ROWS, 7, d.amounts, ROWS,
                                                       release_batch, &d),
                CRM_RESULT_INVALID_ARGUMENT, "crm_time_unit");
    CHECK(d.released == 1);
    /* Days whose second overflows: named as the copying add names them. */
    batch e = make(CRM_TIME_UNIT_DAYS);
    e.times[5] = INT64_MAX / 1000;
    CHECK_FAILS(crm_base_builder_keep_transactions_int(builder, e.ids, ROWS, e.times, ROWS, CRM_TIME_UNIT_DAYS,
                                                       e.amounts, ROWS, release_batch, &e),
                CRM_RESULT_INVALID_VALUE, "days is out of range");
    CHECK(e.released == 1);
    crm_base_builder_free(builder);
}

static void a_second_batch_copies_both(void) {
    batch b = make(CRM_TIME_UNIT_DAYS);
    batch c = make(CRM_TIME_UNIT_DAYS);
    crm_base_builder *builder = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&builder));
    CHECK_OK(crm_base_builder_keep_transactions_int(builder, b.ids, ROWS, b.times, ROWS, CRM_TIME_UNIT_DAYS,
                                                    b.amounts, ROWS, release_batch, &b));
    CHECK(b.released == 0);
    /* Kept into a builder that holds transactions: copied, released at once. */
    CHECK_OK(crm_base_builder_keep_transactions_int(builder, c.ids, ROWS, c.times, ROWS, CRM_TIME_UNIT_DAYS,
                                                    c.amounts, ROWS, release_batch, &c));
    CHECK(b.released == 1 && c.released == 1);
    CHECK_OK(crm_base_builder_build(builder, &base));
    CHECK(crm_base_transaction_count(base) == 2 * ROWS);
    crm_base_free(base);
    crm_base_builder_free(builder);
}

int main(void) {
    kept_answers_as_copied_and_is_released_once(CRM_TIME_UNIT_SECONDS);
    kept_answers_as_copied_and_is_released_once(CRM_TIME_UNIT_DAYS);
    a_refused_batch_is_released_at_once();
    a_second_batch_copies_both();
    CHECK_DONE();
}
