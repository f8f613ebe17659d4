/* Lifecycle stages: the crm-core doc example (lifecycle.rs), one customer per rule of
 * crm-core/tests/lifecycle.rs in one base as of 2024-12-31 with the default rules, custom
 * rules, per-customer accessors, bulk copy-out and JSON. */
#include "check.h"

static void doc_example(void) {
    /* Customer 1 last bought on 2023-01-01: lost. Customer 2 came back on 2024-11-01 after
     * a 305-day gap: reactivated. */
    const int64_t ids[] = {1, 2, 2};
    const int64_t times[] = {secs(2023, 1, 1), secs(2024, 1, 1), secs(2024, 11, 1)};
    const double amounts[] = {10.0, 10.0, 10.0};
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    crm_lifecycle *l = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_int(b, ids, 3, times, 3, CRM_TIME_UNIT_SECONDS, amounts, 3, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    CHECK_OK(crm_lifecycle_new(base, day(2024, 12, 31), NULL, &l));
    crm_lifecycle_stage stages[2];
    CHECK_OK(crm_lifecycle_copy_stages(l, stages, 2));
    CHECK(stages[0] == CRM_LIFECYCLE_STAGE_LOST && stages[1] == CRM_LIFECYCLE_STAGE_REACTIVATED);

    char *json = NULL;
    CHECK_OK(crm_lifecycle_to_json(l, &json, NULL));
    CHECK(strstr(json, "\"stages\":[\"lost\",\"reactivated\"]") != NULL);
    CHECK(strstr(json, "\"customer_ids\":[1,2]") != NULL);
    crm_string_free(json);
    crm_lifecycle_free(l);
    crm_base_free(base);
}

struct row {
    const char *id;
    int32_t y;
    uint32_t m, d;
    double amount;
};

static void one_customer_per_rule(void) {
    static const struct row rows[] = {
        {"c02", 2023, 6, 1, 10}, {"c02", 2024, 1, 1, 10},  /* 365 days without purchase: lost */
        {"c03", 2023, 6, 1, 10}, {"c03", 2024, 1, 2, 10},  /* 364 days: active */
        {"c04", 2024, 10, 3, 10},                          /* first purchase 89 days ago: new */
        {"c05", 2024, 10, 2, 10},                          /* 90 days, one purchase: starter */
        {"c06", 2022, 6, 1, 10}, {"c06", 2024, 11, 15, 10}, /* gap 898 days, back 46 days ago: won back */
        {"c07", 2022, 6, 1, 10}, {"c07", 2024, 6, 1, 10},   /* back 214 days ago: active */
        {"c08", 2024, 1, 10, 10}, {"c08", 2024, 11, 1, 10}, /* gap 296 days: reactivated */
        {"c09", 2024, 5, 6, 10}, {"c09", 2024, 11, 1, 10},  /* gap 179 days: active */
        {"c10", 2024, 5, 1, 100}, {"c10", 2024, 5, 4, -30}, /* a refund is no repeat: starter */
        {"c11", 2023, 3, 1, 100}, {"c11", 2023, 6, 1, 100}, {"c11", 2023, 9, 1, 100},
        {"c11", 2024, 3, 1, 100},                           /* 100 < half of 300: declining */
        {"c12", 2023, 3, 1, 100}, {"c12", 2023, 6, 1, 100}, {"c12", 2023, 9, 1, 100},
        {"c12", 2024, 3, 1, 150},                           /* exactly half: active */
        {"c13", 2023, 6, 1, 100}, {"c13", 2024, 3, 1, 100}, {"c13", 2024, 9, 1, 100},
        {"c13", 2024, 12, 1, 100},                          /* repeat buyer: active */
        {"c14", 2021, 1, 1, 10}, {"c14", 2022, 6, 1, 10},   /* won back, then lapsed: lost */
        {"c15", 2024, 12, 30, 10},                          /* new */
        {"c16", 2024, 5, 1, 10}, {"c16", 2025, 1, 5, 10},   /* the 2025 purchase is ignored: starter */
    };
    enum { N = sizeof rows / sizeof rows[0] };
    static const char *const customers[] = {"c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08",
                                            "c09", "c10", "c11", "c12", "c13", "c14", "c15", "c16"};
    static const crm_lifecycle_stage expected[] = {
        CRM_LIFECYCLE_STAGE_PROSPECT, CRM_LIFECYCLE_STAGE_LOST,        CRM_LIFECYCLE_STAGE_ACTIVE,
        CRM_LIFECYCLE_STAGE_NEW,      CRM_LIFECYCLE_STAGE_STARTER,     CRM_LIFECYCLE_STAGE_WON_BACK,
        CRM_LIFECYCLE_STAGE_ACTIVE,   CRM_LIFECYCLE_STAGE_REACTIVATED, CRM_LIFECYCLE_STAGE_ACTIVE,
        CRM_LIFECYCLE_STAGE_STARTER,  CRM_LIFECYCLE_STAGE_DECLINING,   CRM_LIFECYCLE_STAGE_ACTIVE,
        CRM_LIFECYCLE_STAGE_ACTIVE,   CRM_LIFECYCLE_STAGE_LOST,        CRM_LIFECYCLE_STAGE_NEW,
        CRM_LIFECYCLE_STAGE_STARTER};
    crm_str ids[N], table[16];
    int64_t times[N];
    double amounts[N];
    size_t i;
    for (i = 0; i < N; i++) {
        ids[i] = str(rows[i].id);
        times[i] = secs(rows[i].y, rows[i].m, rows[i].d);
        amounts[i] = rows[i].amount;
    }
    for (i = 0; i < 16; i++) table[i] = str(customers[i]);

    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    crm_lifecycle *l = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_customers_str(b, table, 16)); /* c01 never buys: a prospect */
    CHECK_OK(crm_base_builder_add_transactions_str(b, ids, N, times, N, CRM_TIME_UNIT_SECONDS, amounts, N, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    CHECK_OK(crm_lifecycle_new(base, day(2024, 12, 31), NULL, &l));
    CHECK(crm_lifecycle_count(l) == 16);
    CHECK(crm_lifecycle_as_of(l) == day(2024, 12, 31));
    for (i = 0; i < 16; i++) {
        size_t index = 0;
        crm_lifecycle_stage stage = 255;
        CHECK_OK(crm_base_index_of_str(base, customers[i], 3, &index));
        CHECK_OK(crm_lifecycle_stage_at(l, index, &stage));
        if (stage != expected[i]) {
            fprintf(stderr, "%s: stage %s, expected %s\n", customers[i], crm_lifecycle_stage_name(stage),
                    crm_lifecycle_stage_name(expected[i]));
            check_failures++;
        }
    }
    /* prospect, new, starter, active, declining, lost, reactivated, won back */
    const size_t expected_counts[CRM_LIFECYCLE_STAGES] = {1, 2, 3, 5, 1, 2, 1, 1};
    size_t counts[CRM_LIFECYCLE_STAGES];
    CHECK_OK(crm_lifecycle_copy_counts(l, counts, CRM_LIFECYCLE_STAGES));
    for (i = 0; i < CRM_LIFECYCLE_STAGES; i++) {
        size_t one = 99;
        CHECK(counts[i] == expected_counts[i]);
        CHECK_OK(crm_lifecycle_stage_count(l, (uint8_t)i, &one));
        CHECK(one == expected_counts[i]);
    }
    CHECK(strcmp(crm_lifecycle_stage_name(CRM_LIFECYCLE_STAGE_WON_BACK), "won_back") == 0);
    CHECK(crm_lifecycle_stage_name(8) == NULL);
    crm_lifecycle_free(l);
    crm_base_free(base);
}

static void custom_rules(void) {
    const int64_t ids[] = {1};
    const int64_t times[] = {secs(2024, 6, 1)};
    const double amounts[] = {10.0};
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    crm_lifecycle *l = NULL;
    crm_lifecycle_stage stage = 255;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_int(b, ids, 1, times, 1, CRM_TIME_UNIT_SECONDS, amounts, 1, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);

    crm_lifecycle_config cfg = crm_lifecycle_config_default();
    CHECK(cfg.inactivity_days == 365 && cfg.new_days == 90 && cfg.dormant_days == 180);
    CHECK(cfg.return_days == 90 && cfg.trend_days == 365 && cfg.decline_ratio == 0.5);
    CHECK_OK(crm_lifecycle_new(base, day(2024, 12, 31), &cfg, &l));
    CHECK_OK(crm_lifecycle_stage_at(l, 0, &stage));
    CHECK(stage == CRM_LIFECYCLE_STAGE_STARTER);
    crm_lifecycle_free(l);
    /* Lost after 180 days instead of 365. */
    cfg.inactivity_days = 180;
    cfg.dormant_days = 90;
    CHECK_OK(crm_lifecycle_new(base, day(2024, 12, 31), &cfg, &l));
    CHECK_OK(crm_lifecycle_stage_at(l, 0, &stage));
    CHECK(stage == CRM_LIFECYCLE_STAGE_LOST);
    crm_lifecycle_free(l);
    crm_base_free(base);
}

int main(void) {
    doc_example();
    one_customer_per_rule();
    custom_rules();
    CHECK_DONE();
}
