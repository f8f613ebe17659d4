/* The customer summary: the crm-core doc example (summary.rs), the hand-worked fields of
 * crm-core/tests/summary.rs, RFM quintiles of ten customers, bulk copy-out and JSON. */
#include "check.h"

static crm_base *build_str(const char *const *ids, const int64_t *times, const double *amounts, size_t n) {
    crm_str keys[64];
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    size_t i;
    for (i = 0; i < n; i++) keys[i] = str(ids[i]);
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_str(b, keys, n, times, n, CRM_TIME_UNIT_SECONDS, amounts, n, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    return base;
}

static void doc_example(void) {
    /* Customer 7 buys 100 and 50 and returns 20: two purchases, revenue 130, last purchase
     * 365 days before 2024-12-31. */
    const int64_t ids[] = {7, 7, 7};
    const int64_t times[] = {secs(2023, 1, 1), secs(2024, 1, 1), secs(2024, 6, 1)};
    const double amounts[] = {100.0, 50.0, -20.0};
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    crm_summary *s = NULL;
    crm_summary_row row;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_int(b, ids, 3, times, 3, CRM_TIME_UNIT_SECONDS, amounts, 3, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    CHECK_OK(crm_summary_new(base, day(2024, 12, 31), NULL, &s));
    crm_base_free(base); /* the summary keeps what it needs */
    CHECK(crm_summary_count(s) == 1);
    CHECK(crm_summary_as_of(s) == day(2024, 12, 31));
    CHECK_OK(crm_summary_row_at(s, 0, &row));
    CHECK(row.customer == 0);
    CHECK(row.purchases == 2);
    CHECK(row.revenue == 130.0);
    CHECK(row.recency_days == 365);
    CHECK(isnan(row.margin));
    crm_summary_free(s);
}

static void fields_by_hand(void) {
    /* crm-core/tests/summary.rs summary_fields_by_hand. */
    const char *ids[] = {"a", "a", "a", "a", "a", "b", "b"};
    const int64_t times[] = {secs(2023, 1, 1), secs(2023, 7, 1), secs(2024, 2, 1), secs(2024, 2, 5),
                             secs(2024, 12, 1), secs(2024, 12, 21), secs(2024, 12, 26)};
    const double amounts[] = {100.0, 200.0, 300.0, -50.0, 400.0, 80.0, 20.0};
    crm_base *base = build_str(ids, times, amounts, 7);
    crm_summary *s = NULL;
    crm_summary_row a, bb;
    CHECK_OK(crm_summary_new(base, day(2024, 12, 31), NULL, &s));
    CHECK_OK(crm_summary_row_at(s, 0, &a));
    CHECK(a.first_purchase == day(2023, 1, 1));
    CHECK(a.last_purchase == day(2024, 12, 1));
    CHECK(a.purchases == 4);
    CHECK(a.revenue == 950.0);
    CHECK(a.average_purchase == 950.0 / 4.0);
    CHECK(a.tenure_days == 730);
    CHECK(a.recency_days == 30);
    CHECK(a.purchases_per_year == 4.0 * 365.25 / 730.0);
    /* b: tenure 10 days, annualised over the one-year minimum span. */
    CHECK_OK(crm_summary_row_at(s, 1, &bb));
    CHECK(bb.purchases == 2 && bb.tenure_days == 10);
    CHECK(bb.purchases_per_year == 2.0 * 365.25 / 365.0);
    crm_summary_free(s);

    /* Without the floor the rate is purchases / tenure. */
    crm_summary_config cfg = crm_summary_config_default();
    CHECK(cfg.min_span_days == 365);
    cfg.min_span_days = 1;
    CHECK_OK(crm_summary_new(base, day(2024, 12, 31), &cfg, &s));
    CHECK_OK(crm_summary_row_at(s, 1, &bb));
    CHECK(bb.purchases_per_year == 2.0 * 365.25 / 10.0);
    crm_summary_free(s);
    crm_base_free(base);
}

static void later_transactions_are_left_out(void) {
    const char *ids[] = {"a", "a", "b"};
    const int64_t times[] = {secs(2024, 1, 1), secs(2025, 1, 1), secs(2025, 2, 1)};
    const double amounts[] = {100.0, 60.0, 1.0};
    crm_base *base = build_str(ids, times, amounts, 3);
    crm_summary *s = NULL;
    crm_summary_row b;
    CHECK_OK(crm_summary_new(base, day(2024, 12, 31), NULL, &s));
    CHECK(crm_summary_excluded_after_as_of(s) == 2);
    CHECK_OK(crm_summary_row_at(s, 1, &b));
    CHECK(b.purchases == 0 && b.first_purchase == CRM_NO_DATE && b.recency_days == -1);
    CHECK(b.rfm_code == 0 && b.rfm_r == 0 && isnan(b.average_purchase));
    crm_summary_free(s);
    crm_base_free(base);
}

static void rfm_quintiles_and_copy_out(void) {
    /* Customer k (1..10) bought k times, 11 - k days before the as-of date, k x 10 each
     * time: scores 1,1,2,2,..,5,5 on each of R, F and M. */
    int64_t ids[55], times[55];
    double amounts[55];
    size_t n = 0;
    int k, j;
    for (k = 1; k <= 10; k++) {
        for (j = 0; j < k; j++) {
            ids[n] = k;
            times[n] = secs(2024, 12, (uint32_t)(20 + k));
            amounts[n] = k * 10.0;
            n++;
        }
    }
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    crm_summary *s = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_int(b, ids, n, times, n, CRM_TIME_UNIT_SECONDS, amounts, n, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    CHECK_OK(crm_summary_new(base, day(2024, 12, 31), NULL, &s));

    uint16_t rfm[10];
    uint32_t purchases[10];
    double revenue[10], margin[10], per_year[10], average[10];
    int32_t first[10], last[10], recency[10], tenure[10];
    CHECK_OK(crm_summary_copy_rfm_code(s, rfm, 10));
    CHECK_OK(crm_summary_copy_purchases(s, purchases, 10));
    CHECK_OK(crm_summary_copy_revenue(s, revenue, 10));
    CHECK_OK(crm_summary_copy_margin(s, margin, 10));
    CHECK_OK(crm_summary_copy_purchases_per_year(s, per_year, 10));
    CHECK_OK(crm_summary_copy_average_purchase(s, average, 10));
    CHECK_OK(crm_summary_copy_first_purchase(s, first, 10));
    CHECK_OK(crm_summary_copy_last_purchase(s, last, 10));
    CHECK_OK(crm_summary_copy_recency_days(s, recency, 10));
    CHECK_OK(crm_summary_copy_tenure_days(s, tenure, 10));
    const uint16_t expected[10] = {111, 111, 222, 222, 333, 333, 444, 444, 555, 555};
    for (k = 0; k < 10; k++) {
        crm_summary_row row;
        CHECK_OK(crm_summary_row_at(s, (size_t)k, &row));
        CHECK(rfm[k] == expected[k] && row.rfm_code == expected[k]);
        CHECK(row.rfm_r * 100 + row.rfm_f * 10 + row.rfm_m == expected[k]);
        CHECK(purchases[k] == (uint32_t)(k + 1));
        CHECK(revenue[k] == (k + 1) * (k + 1) * 10.0);
        CHECK(isnan(margin[k]));
        CHECK(average[k] == (k + 1) * 10.0);
        CHECK(first[k] == day(2024, 12, (uint32_t)(21 + k)) && last[k] == first[k]);
        CHECK(recency[k] == 10 - k && tenure[k] == 10 - k);
        CHECK(per_year[k] == row.purchases_per_year);
    }

    /* JSON for callers that prefer text: the rows plus the customer ids. */
    char *json = NULL;
    size_t len = 0;
    CHECK_OK(crm_summary_to_json(s, &json, &len));
    CHECK(len == strlen(json));
    CHECK(strstr(json, "\"as_of\":\"2024-12-31\"") != NULL);
    CHECK(strstr(json, "\"customer_ids\":[1,2,3,4,5,6,7,8,9,10]") != NULL);
    CHECK(strstr(json, "\"purchases\":10") != NULL);
    CHECK(strstr(json, "\"margin\":null") != NULL);
    crm_string_free(json);
    crm_summary_free(s);
    crm_base_free(base);
}

int main(void) {
    doc_example();
    fields_by_hand();
    later_transactions_are_left_out();
    rfm_quintiles_and_copy_out();
    CHECK_DONE();
}
