/* Building a base in bulk from arrays: integer ids with Unix seconds, string ids with days
 * and margins, appended batches; ids, lookups and counts read back. Figures are those of
 * the crm-core doc examples (lib.rs, base.rs). */
#include "check.h"

static void integer_ids_and_seconds(void) {
    /* crm-core lib.rs: customers 1, 1, 2, 3 at days 0, 30, 10, 0. */
    const int64_t day_s = 86400;
    const int64_t ids[] = {1, 1, 2, 3};
    const int64_t times[] = {0, 30 * day_s, 10 * day_s, 0};
    const double amounts[] = {120.0, 80.0, 50.0, 500.0};
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_int(b, ids, 4, times, 4, CRM_TIME_UNIT_SECONDS, amounts, 4, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);

    CHECK(crm_base_customer_count(base) == 3);
    CHECK(crm_base_transaction_count(base) == 4);
    CHECK(crm_base_interaction_count(base) == 0);
    CHECK(!crm_base_has_customer_table(base));
    CHECK(!crm_base_has_margin(base));
    crm_id_kind kind = CRM_ID_KIND_AUTO;
    CHECK_OK(crm_base_id_kind(base, &kind));
    CHECK(kind == CRM_ID_KIND_INT);

    int64_t copied[3] = {0, 0, 0};
    CHECK_OK(crm_base_copy_customer_ids(base, copied, 3));
    CHECK(copied[0] == 1 && copied[1] == 2 && copied[2] == 3);
    int64_t id = 0;
    CHECK_OK(crm_base_customer_id_int(base, 2, &id));
    CHECK(id == 3);
    size_t index = 99;
    CHECK_OK(crm_base_index_of_int(base, 2, &index));
    CHECK(index == 1);
    size_t n_tx = 0, n_ix = 7;
    CHECK_OK(crm_base_customer_activity(base, 0, &n_tx, &n_ix));
    CHECK(n_tx == 2 && n_ix == 0);

    /* As of 1970-03-01: customer 1 bought twice; the top 20 % of 3 customers is 1. */
    crm_summary *s = NULL;
    CHECK_OK(crm_summary_new(base, day(1970, 3, 1), NULL, &s));
    crm_summary_row row;
    CHECK_OK(crm_summary_row_at(s, 0, &row));
    CHECK(row.purchases == 2);
    crm_segments *seg = NULL;
    CHECK_OK(crm_segments_new(base, day(1970, 3, 1), NULL, &seg));
    crm_segment_row top;
    CHECK_OK(crm_segments_table_row(seg, CRM_SEGMENT_TABLE_VALUE, 0, &top));
    CHECK(top.customers == 1);
    CHECK(strcmp(top.segment, "top") == 0);
    crm_segments_free(seg);
    crm_summary_free(s);
    crm_base_free(base);
}

static void string_ids_days_and_margins(void) {
    /* crm-core base.rs: "b", "a", "b" -> two customers, "a" first (ids in ascending order). */
    const crm_str ids[] = {str("b"), str("a"), str("b")};
    const int64_t days[] = {0, 0, 1};
    const double amounts[] = {10.0, 20.0, 30.0};
    const double margins[] = {1.0, 2.0, 3.0};
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_str(b, ids, 3, days, 3, CRM_TIME_UNIT_DAYS, amounts, 3, margins, 3));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);

    CHECK(crm_base_customer_count(base) == 2);
    CHECK(crm_base_has_margin(base));
    const char *data = NULL;
    size_t len = 0;
    CHECK_OK(crm_base_customer_id_str(base, 0, &data, &len));
    CHECK(len == 1 && memcmp(data, "a", 1) == 0);
    size_t index = 0;
    CHECK_OK(crm_base_index_of_str(base, "b", 1, &index));
    CHECK(index == 1);
    crm_id_kind kind = CRM_ID_KIND_AUTO;
    CHECK_OK(crm_base_id_kind(base, &kind));
    CHECK(kind == CRM_ID_KIND_STR);

    /* Customer b: 10 on day 0 and 30 on day 1, margins 1 + 3. */
    crm_summary *s = NULL;
    CHECK_OK(crm_summary_new(base, 1, NULL, &s));
    crm_summary_row row;
    CHECK_OK(crm_summary_row_at(s, 1, &row));
    CHECK(row.revenue == 40.0 && row.margin == 4.0 && row.purchases == 2);
    CHECK(row.first_purchase == 0 && row.last_purchase == 1);
    crm_summary_free(s);
    crm_base_free(base);
}

/* The ids of customers `at` 0, 1, 2, ... of a base built from `ids` (one day, amount 1 each)
 * must read back as `want`: ascending text order, whatever the ids' shape. */
static void ids_read_back_sorted(const crm_str *ids, size_t n, const char *const *want, size_t customers) {
    int64_t days[8] = {0};
    double amounts[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_str(b, ids, n, days, n, CRM_TIME_UNIT_DAYS, amounts, n, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    CHECK(crm_base_customer_count(base) == customers);
    for (size_t i = 0; i < customers; i++) {
        const char *data = NULL;
        size_t len = 0;
        CHECK_OK(crm_base_customer_id_str(base, i, &data, &len));
        CHECK(len == strlen(want[i]) && memcmp(data, want[i], len) == 0);
        size_t index = 99;
        CHECK_OK(crm_base_index_of_str(base, want[i], strlen(want[i]), &index));
        CHECK(index == i);
    }
    crm_base_free(base);
}

static void text_ids_of_every_shape_come_back_in_text_order(void) {
    /* One prefix and a fixed-width number (interned as numbers), and the same with one id of
     * another width, which puts them in text order: C0010 < C010 < C0100. */
    const crm_str numbered[] = {str("C0100"), str("C0002"), str("C0100"), str("C0010")};
    const char *numbered_want[] = {"C0002", "C0010", "C0100"};
    ids_read_back_sorted(numbered, 4, numbered_want, 3);
    const crm_str mixed[] = {str("C0100"), str("C010"), str("C0010"), str("C010")};
    const char *mixed_want[] = {"C0010", "C010", "C0100"};
    ids_read_back_sorted(mixed, 4, mixed_want, 3);
    /* Ids longer than 15 bytes beside short ones. */
    const crm_str long_ids[] = {str("customer-000000000002"), str("k1"), str("customer-000000000001"), str("k1")};
    const char *long_want[] = {"customer-000000000001", "customer-000000000002", "k1"};
    ids_read_back_sorted(long_ids, 4, long_want, 3);
}

static void batches_append_and_the_builder_is_reusable(void) {
    const int64_t ids1[] = {10, 20};
    const int64_t ids2[] = {20, 30, 30};
    const int64_t t1[] = {0, 0};
    const int64_t t2[] = {1, 2, 3};
    const double a1[] = {1.0, 2.0};
    const double a2[] = {3.0, 4.0, 5.0};
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_int(b, ids1, 2, t1, 2, CRM_TIME_UNIT_DAYS, a1, 2, NULL, 0));
    CHECK_OK(crm_base_builder_add_transactions_int(b, ids2, 3, t2, 3, CRM_TIME_UNIT_DAYS, a2, 3, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    CHECK(crm_base_customer_count(base) == 3);
    CHECK(crm_base_transaction_count(base) == 5);
    size_t n_tx = 0;
    CHECK_OK(crm_base_customer_activity(base, 2, &n_tx, NULL));
    CHECK(n_tx == 2);
    crm_base_free(base);

    /* After a build the builder is empty: building again gives an empty base. */
    CHECK_OK(crm_base_builder_build(b, &base));
    CHECK(crm_base_customer_count(base) == 0);
    crm_base_free(base);
    crm_base_builder_free(b);
}

int main(void) {
    integer_ids_and_seconds();
    string_ids_days_and_margins();
    text_ids_of_every_shape_come_back_in_text_order();
    batches_append_and_the_builder_is_reusable();
    CHECK_DONE();
}
