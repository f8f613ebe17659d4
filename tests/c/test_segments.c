/* Value segments, ABC classes, pyramid and segment tables: the fixtures of
 * crm-core/tests/segments.rs, as of 2024-12-31 with the default rules unless stated. */
#include "check.h"

static crm_base *build(const crm_str *customers, size_t n_customers, const crm_str *ids, const int64_t *times,
                       const double *amounts, size_t n) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    if (customers != NULL) CHECK_OK(crm_base_builder_add_customers_str(b, customers, n_customers));
    CHECK_OK(crm_base_builder_add_transactions_str(b, ids, n, times, n, CRM_TIME_UNIT_SECONDS, amounts, n, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    return base;
}

/* A base of these transactions, grouped by customer when `grouped` (a lifecycle groups
 * its rows) or as built (segments then read the rows in one pass). */
static crm_base *fresh_or_grouped(const crm_str *ids, const int64_t *times, const double *amounts, size_t n,
                                  int grouped, int32_t as_of) {
    crm_base *base = build(NULL, 0, ids, times, amounts, n);
    if (grouped) {
        crm_lifecycle *l = NULL;
        CHECK_OK(crm_lifecycle_new(base, as_of, NULL, &l));
        crm_lifecycle_free(l);
    }
    return base;
}

static void ten_customers_split_2_5_3(void) {
    /* Customer k has revenue 100 k; total 5500. Top = {10, 9}: 1900 / 5500. */
    char names[10][4];
    crm_str ids[10];
    int64_t times[10];
    double amounts[10];
    int k;
    for (k = 0; k < 10; k++) {
        snprintf(names[k], sizeof names[k], "c%02d", k + 1);
        ids[k] = str(names[k]);
        times[k] = secs(2024, 6, 1);
        amounts[k] = (k + 1) * 100.0;
    }
    crm_base *base = build(NULL, 0, ids, times, amounts, 10);
    crm_segments *s = NULL;
    CHECK_OK(crm_segments_new(base, day(2024, 12, 31), NULL, &s));
    CHECK(crm_segments_count(s) == 10);
    CHECK(crm_segments_table_len(s, CRM_SEGMENT_TABLE_VALUE) == 3);
    CHECK(crm_segments_table_len(s, CRM_SEGMENT_TABLE_ABC) == 3);
    CHECK(crm_segments_table_len(s, CRM_SEGMENT_TABLE_PYRAMID) == 6);

    crm_segment_row t[3];
    const char *const names_expected[3] = {"top", "middle", "bottom"};
    const size_t counts[3] = {2, 5, 3};
    const double revenue[3] = {1900.0, 3000.0, 600.0};
    double customer_share = 0.0;
    for (k = 0; k < 3; k++) {
        CHECK_OK(crm_segments_table_row(s, CRM_SEGMENT_TABLE_VALUE, (size_t)k, &t[k]));
        CHECK(strcmp(t[k].segment, names_expected[k]) == 0);
        CHECK(t[k].customers == counts[k]);
        CHECK(t[k].revenue == revenue[k]);
        CHECK_NEAR(t[k].revenue_share, revenue[k] / 5500.0);
        CHECK(isnan(t[k].profit) && isnan(t[k].margin) && isnan(t[k].profit_share));
        customer_share += t[k].customer_share;
    }
    CHECK_NEAR(customer_share, 1.0);

    crm_value_segment seg[10];
    int64_t rank[10];
    double value[10], rev[10], profit[10];
    CHECK_OK(crm_segments_copy_segment(s, seg, 10));
    CHECK_OK(crm_segments_copy_rank(s, rank, 10));
    CHECK_OK(crm_segments_copy_value(s, value, 10));
    CHECK_OK(crm_segments_copy_revenue(s, rev, 10));
    CHECK_OK(crm_segments_copy_profit(s, profit, 10));
    CHECK(seg[9] == CRM_VALUE_SEGMENT_TOP && seg[7] == CRM_VALUE_SEGMENT_MIDDLE && seg[2] == CRM_VALUE_SEGMENT_BOTTOM);
    CHECK(rank[9] == 0 && rank[0] == 9);
    CHECK(value[4] == 500.0 && rev[4] == 500.0 && isnan(profit[4]));

    crm_segment_customer c;
    CHECK_OK(crm_segments_customer_at(s, 9, &c));
    CHECK(c.rank == 0 && c.segment == CRM_VALUE_SEGMENT_TOP && c.value == 1000.0 && isnan(c.profit));

    /* ABC of 100..1000 (total 5500): A while less than 80 % came before, then B below 95 %:
     * cumulative before c04 is 4500 (81.8 %) and before c01 5400 (98.2 %): 6 A, 3 B, 1 C. */
    crm_abc_class abc[10];
    CHECK_OK(crm_segments_copy_abc(s, abc, 10));
    CHECK(abc[9] == CRM_ABC_CLASS_A && abc[4] == CRM_ABC_CLASS_A && abc[3] == CRM_ABC_CLASS_B);
    CHECK(abc[1] == CRM_ABC_CLASS_B && abc[0] == CRM_ABC_CLASS_C);

    char *json = NULL;
    size_t len = 0;
    CHECK_OK(crm_segments_to_json(s, &json, &len));
    CHECK(strstr(json, "\"segment\":\"top\"") != NULL);
    CHECK(strstr(json, "\"customer_ids\":[\"c01\",") != NULL);
    crm_string_free(json);
    crm_segments_free(s);
    crm_base_free(base);
}

static void abc_classes_by_cumulative_share(void) {
    /* Values 50, 30, 10, 5, 5: cumulative before each 0, 50, 80, 90, 95 -> A, A, B, B, C. */
    const crm_str ids[] = {str("a"), str("b"), str("c"), str("d"), str("e")};
    const int64_t t = secs(2024, 6, 1);
    const int64_t times[] = {t, t, t, t, t};
    const double amounts[] = {50.0, 30.0, 10.0, 5.0, 5.0};
    crm_base *base = build(NULL, 0, ids, times, amounts, 5);
    crm_segments *s = NULL;
    CHECK_OK(crm_segments_new(base, day(2024, 12, 31), NULL, &s));
    crm_abc_class abc[5];
    CHECK_OK(crm_segments_copy_abc(s, abc, 5));
    CHECK(abc[0] == CRM_ABC_CLASS_A && abc[1] == CRM_ABC_CLASS_A && abc[2] == CRM_ABC_CLASS_B);
    CHECK(abc[3] == CRM_ABC_CLASS_B && abc[4] == CRM_ABC_CLASS_C);
    crm_segment_row r;
    CHECK_OK(crm_segments_table_row(s, CRM_SEGMENT_TABLE_ABC, 0, &r));
    CHECK(strcmp(r.segment, "A") == 0 && r.customers == 2 && r.revenue_share == 0.8);
    CHECK_OK(crm_segments_table_row(s, CRM_SEGMENT_TABLE_ABC, 1, &r));
    CHECK(r.customers == 2);
    CHECK_OK(crm_segments_table_row(s, CRM_SEGMENT_TABLE_ABC, 2, &r));
    CHECK(r.customers == 1);
    crm_segments_free(s);
    crm_base_free(base);
}

static void ties_are_broken_by_ascending_id(void) {
    /* n = 5 splits 1 / 3 / 1; ids 3, 4, 5 tie at 100: id 3 (smallest) is top. */
    const crm_str ids[] = {str("1"), str("2"), str("3"), str("4"), str("5")};
    const int64_t t = secs(2024, 6, 1);
    const int64_t times[] = {t, t, t, t, t};
    const double amounts[] = {50.0, 50.0, 100.0, 100.0, 100.0};
    crm_base *base = build(NULL, 0, ids, times, amounts, 5);
    crm_segments *s = NULL;
    CHECK_OK(crm_segments_new(base, day(2024, 12, 31), NULL, &s));
    crm_value_segment seg[5];
    int64_t rank[5];
    CHECK_OK(crm_segments_copy_segment(s, seg, 5));
    CHECK_OK(crm_segments_copy_rank(s, rank, 5));
    CHECK(seg[0] == CRM_VALUE_SEGMENT_MIDDLE && seg[1] == CRM_VALUE_SEGMENT_BOTTOM && seg[2] == CRM_VALUE_SEGMENT_TOP);
    CHECK(seg[3] == CRM_VALUE_SEGMENT_MIDDLE && seg[4] == CRM_VALUE_SEGMENT_MIDDLE);
    CHECK(rank[0] == 3 && rank[1] == 4 && rank[2] == 0 && rank[3] == 1 && rank[4] == 2);
    crm_segments_free(s);
    crm_base_free(base);
}

static void pyramid_with_inactive_and_prospect(void) {
    /* 100 buyers with values 1..100, "old" bought before the 365-day window, "lead" never. */
    char names[101][8];
    crm_str ids[101], table[102];
    int64_t times[101];
    double amounts[101];
    int k;
    for (k = 0; k < 100; k++) {
        snprintf(names[k], sizeof names[k], "c%03d", k + 1);
        ids[k] = str(names[k]);
        times[k] = secs(2024, 6, 1);
        amounts[k] = k + 1;
    }
    ids[100] = str("old");
    times[100] = secs(2023, 1, 1);
    amounts[100] = 1000.0;
    for (k = 0; k < 101; k++) table[k] = ids[k];
    table[101] = str("lead");
    crm_base *base = build(table, 102, ids, times, amounts, 101);
    crm_segments *s = NULL;
    CHECK_OK(crm_segments_new(base, day(2024, 12, 31), NULL, &s));
    const size_t counts[6] = {1, 4, 15, 80, 1, 1};
    crm_segment_row r;
    for (k = 0; k < 6; k++) {
        CHECK_OK(crm_segments_table_row(s, CRM_SEGMENT_TABLE_PYRAMID, (size_t)k, &r));
        CHECK(r.customers == counts[k]);
        if (k == 0) CHECK_NEAR(r.customer_share, 1.0 / 102.0);
        if (k == 4) CHECK(strcmp(r.segment, "inactive") == 0 && r.revenue == 0.0);
    }
    size_t i_top = 0, i_old = 0, i_lead = 0;
    CHECK_OK(crm_base_index_of_str(base, "c100", 4, &i_top));
    CHECK_OK(crm_base_index_of_str(base, "old", 3, &i_old));
    CHECK_OK(crm_base_index_of_str(base, "lead", 4, &i_lead));
    crm_segment_customer c;
    CHECK_OK(crm_segments_customer_at(s, i_top, &c));
    CHECK(c.pyramid == CRM_PYRAMID_LEVEL_TOP);
    CHECK_OK(crm_segments_customer_at(s, i_old, &c));
    CHECK(c.pyramid == CRM_PYRAMID_LEVEL_INACTIVE && c.segment == CRM_VALUE_SEGMENT_UNRANKED);
    CHECK(c.abc == CRM_ABC_CLASS_UNRANKED && c.rank == -1);
    CHECK_OK(crm_segments_customer_at(s, i_lead, &c));
    CHECK(c.pyramid == CRM_PYRAMID_LEVEL_PROSPECT);
    crm_pyramid_level levels[102];
    CHECK_OK(crm_segments_copy_pyramid(s, levels, 102));
    CHECK(levels[i_lead] == CRM_PYRAMID_LEVEL_PROSPECT);
    crm_segments_free(s);
    crm_base_free(base);
}

static void window_limits_the_value(void) {
    const crm_str ids[] = {str("a"), str("a"), str("b")};
    const int64_t times[] = {secs(2023, 12, 31), secs(2024, 6, 1), secs(2024, 6, 1)};
    const double amounts[] = {1000.0, 10.0, 20.0};
    crm_base *base = build(NULL, 0, ids, times, amounts, 3);
    crm_segments *s = NULL;
    double value[2];
    CHECK_OK(crm_segments_new(base, day(2024, 12, 31), NULL, &s));
    CHECK_OK(crm_segments_copy_value(s, value, 2));
    CHECK(value[0] == 10.0 && value[1] == 20.0);
    crm_segments_free(s);
    crm_segments_config cfg = crm_segments_config_default();
    CHECK(cfg.window_days == 365 && cfg.measure == CRM_VALUE_MEASURE_REVENUE);
    CHECK(cfg.shares[0] == 0.2 && cfg.shares[1] == 0.5 && cfg.shares[2] == 0.3);
    CHECK(cfg.abc_shares[0] == 0.8 && cfg.pyramid_shares[3] == 0.8);
    cfg.window_days = 0; /* all history */
    CHECK_OK(crm_segments_new(base, day(2024, 12, 31), &cfg, &s));
    CHECK(crm_segments_as_of(s) == day(2024, 12, 31));
    CHECK_OK(crm_segments_copy_value(s, value, 2));
    CHECK(value[0] == 1010.0 && value[1] == 20.0);
    crm_segments_free(s);
    crm_base_free(base);
}

/* A base built for segments (or the summary) alone reads its rows as given (one pass);
 * once another analysis has grouped them, the grouped store. Sums in time order either
 * way: customer a bought 0.1, 0.2, 0.3 (rows listed out of time order: the pass declines,
 * the store sorts), customer b bought 1e16, 1, -1e16 in time order (the pass takes them);
 * every value, revenue and summary revenue equal bit for bit on both bases and to the
 * sums worked out in time order. */
static void a_fresh_base_sums_in_time_order_as_a_grouped_one(void) {
    const crm_str ids[] = {str("b"), str("a"), str("b"), str("a"), str("a"), str("b")};
    const int64_t times[] = {secs(2024, 3, 1), secs(2024, 3, 3), secs(2024, 3, 2),
                             secs(2024, 3, 2), secs(2024, 3, 1), secs(2024, 3, 3)};
    const double amounts[] = {1e16, 0.3, 1.0, 0.2, 0.1, -1e16};
    const int32_t as_of = day(2024, 12, 31);
    double value[2][2], revenue[2][2], summary_revenue[2][2];
    int round;
    for (round = 0; round < 2; round++) {
        crm_base *base = build(NULL, 0, ids, times, amounts, 6);
        crm_base *other = build(NULL, 0, ids, times, amounts, 6);
        if (round == 1) {
            crm_lifecycle *l = NULL;
            CHECK_OK(crm_lifecycle_new(base, as_of, NULL, &l)); /* groups the rows */
            crm_lifecycle_free(l);
            crm_base_free(other);
            other = base;
        }
        crm_segments *s = NULL;
        CHECK_OK(crm_segments_new(base, as_of, NULL, &s));
        CHECK_OK(crm_segments_copy_value(s, value[round], 2));
        CHECK_OK(crm_segments_copy_revenue(s, revenue[round], 2));
        crm_segments_free(s);
        crm_summary *summary = NULL;
        CHECK_OK(crm_summary_new(other, as_of, NULL, &summary));
        CHECK_OK(crm_summary_copy_revenue(summary, summary_revenue[round], 2));
        crm_summary_free(summary);
        if (other != base) crm_base_free(other);
        crm_base_free(base);
    }
    volatile double a = 0.1, b = 1e16; /* volatile: summed at run time, in this order */
    a = (a + 0.2) + 0.3;
    b = (b + 1.0) + -1e16;
    CHECK(value[0][0] == a && value[0][1] == b && a != 0.6 && b == 0.0);
    CHECK(summary_revenue[0][0] == a && summary_revenue[0][1] == b);
    CHECK(memcmp(value[0], value[1], sizeof value[0]) == 0);
    CHECK(memcmp(revenue[0], revenue[1], sizeof revenue[0]) == 0);
    CHECK(memcmp(summary_revenue[0], summary_revenue[1], sizeof summary_revenue[0]) == 0);
}

/* An invoice's lines (consecutive rows of one customer at one time) in any amount order:
 * a fresh base reads them in the store's order (amount ascending) as the grouped store
 * does. Customer c's lines 1e16, -1e16, 1 sum to 1 in file order but to 0 in amount order
 * (-1e16 + 1 rounds back to -1e16); d's lines come in order. Both bases give 0. */
static void an_invoices_lines_are_summed_in_amount_order(void) {
    const crm_str ids[] = {str("c"), str("c"), str("c"), str("d"), str("d")};
    const int64_t t = secs(2024, 5, 6);
    const int64_t times[] = {t, t, t, t, t + 60};
    const double amounts[] = {1e16, -1e16, 1.0, 2.5, 4.0};
    const int32_t as_of = day(2024, 12, 31);
    double value[2][2];
    int round;
    for (round = 0; round < 2; round++) {
        crm_base *base = fresh_or_grouped(ids, times, amounts, 5, round == 1, as_of);
        crm_segments *s = NULL;
        CHECK_OK(crm_segments_new(base, as_of, NULL, &s));
        CHECK_OK(crm_segments_copy_value(s, value[round], 2));
        crm_segments_free(s);
        crm_base_free(base);
    }
    CHECK(value[0][0] == 0.0 && value[0][1] == 6.5);
    CHECK(memcmp(value[0], value[1], sizeof value[0]) == 0);
}

/* Rows before the value window may come in any order: they only tell whether their
 * customer bought. Window of 365 days ending 2024-12-31. Customer g: 5.0 on 2023-03-01
 * listed before 3.0 on 2023-02-01 (both before the window), then 2.0 and 1.5 in it: ranked,
 * value 3.5 (the only ranked customer: the pyramid's small level). Customer h: 4.0 and a
 * refund before the window, out of order: inactive.
 * Customer i: only a refund before the window: a prospect. A fresh base (one pass) and
 * a grouped one give the same figures. */
static void rows_before_the_window_come_in_any_order(void) {
    const crm_str ids[] = {str("g"), str("h"), str("g"), str("h"), str("i"), str("g"), str("g")};
    const int64_t times[] = {secs(2023, 3, 1), secs(2023, 5, 1), secs(2023, 2, 1), secs(2023, 4, 1),
                             secs(2023, 6, 1), secs(2024, 2, 1), secs(2024, 7, 1)};
    const double amounts[] = {5.0, 4.0, 3.0, -1.0, -2.0, 2.0, 1.5};
    const int32_t as_of = day(2024, 12, 31);
    const crm_pyramid_level expected[] = {CRM_PYRAMID_LEVEL_SMALL, CRM_PYRAMID_LEVEL_INACTIVE,
                                          CRM_PYRAMID_LEVEL_PROSPECT};
    double value[2][3];
    int round, k;
    for (round = 0; round < 2; round++) {
        crm_base *base = fresh_or_grouped(ids, times, amounts, 7, round == 1, as_of);
        crm_segments *s = NULL;
        CHECK_OK(crm_segments_new(base, as_of, NULL, &s));
        CHECK_OK(crm_segments_copy_value(s, value[round], 3));
        for (k = 0; k < 3; k++) {
            crm_segment_customer c;
            CHECK_OK(crm_segments_customer_at(s, (size_t)k, &c)); /* g, h, i: id order */
            CHECK(c.pyramid == expected[k]);
        }
        crm_segments_free(s);
        crm_base_free(base);
    }
    CHECK(value[0][0] == 3.5);
    CHECK(memcmp(value[0], value[1], sizeof value[0]) == 0);
}

int main(void) {
    ten_customers_split_2_5_3();
    abc_classes_by_cumulative_share();
    ties_are_broken_by_ascending_id();
    pyramid_with_inactive_and_prospect();
    window_limits_the_value();
    a_fresh_base_sums_in_time_order_as_a_grouped_one();
    an_invoices_lines_are_summed_in_amount_order();
    rows_before_the_window_come_in_any_order();
    CHECK_DONE();
}
