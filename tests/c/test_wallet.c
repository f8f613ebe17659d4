/* Share of wallet and segment profiles on the hand-worked 12-customer base of
 * crm-core/tests/wallet_profiles.rs (the figures are worked out there). */
#include "fixture.h"

#define S(lit) lit, sizeof(lit) - 1

static const char *const INDUSTRY[12] = {"manufacturing", "manufacturing", "manufacturing", "manufacturing",
                                         "manufacturing", "manufacturing", "retail",        "retail",
                                         "retail",        "retail",        "retail",        NULL};
static const char *const SIZE[12] = {"large", "large", "large", "large", "small", "small",
                                     "small", "small", "small", "large", "large", "large"};
static const double EMPLOYEES[12] = {500, 800, 1200, 2000, 20, 10, 5, 8, 12, 900, 600, 700};
static const double SPEND[12] = {100, 200, 300, 400, 50, 80, 20, 40, 60, 500, 80, 150};

/* employees_of_12: 0 leaves customer 12 without employees (the regression case). */
static crm_base *hand_worked_base(int employees_of_12) {
    crm_base_builder *b = builder();
    int64_t ids[12], days[12];
    int i;
    for (i = 0; i < 12; i++) {
        crm_customer *c = NULL;
        CHECK_OK(crm_customer_new(&c));
        CHECK_OK(crm_customer_set_id_int(c, i + 1));
        if (INDUSTRY[i] != NULL) {
            CHECK_OK(crm_customer_set_text(c, CRM_CUSTOMER_FIELD_INDUSTRY, INDUSTRY[i], strlen(INDUSTRY[i])));
        }
        CHECK_OK(crm_customer_set_attribute_text(c, S("size"), SIZE[i], strlen(SIZE[i])));
        if (i != 11 || employees_of_12) CHECK_OK(crm_customer_set_attribute_number(c, S("employees"), EMPLOYEES[i]));
        if (i == 4) CHECK_OK(crm_customer_set_attribute_text(c, S("potential"), S("n/a")));
        if (i == 9) CHECK_OK(crm_customer_set_attribute_number(c, S("potential"), 1000.0));
        if (i == 10) CHECK_OK(crm_customer_set_attribute_number(c, S("potential"), -5.0));
        add_customer(b, c);
        ids[i] = i + 1;
        days[i] = i == 5 ? iso("2023-06-01") : iso("2024-06-01");
    }
    CHECK_OK(crm_base_builder_add_transactions_int(b, ids, 12, days, 12, CRM_TIME_UNIT_DAYS, SPEND, 12, NULL, 0));
    return build_base(b);
}

int main(void) {
    crm_base *base = hand_worked_base(1);
    int32_t as_of = iso("2024-12-31");
    const char config[] = "{\"attribute\": \"potential\", \"min_peers\": 3, "
                          "\"levels\": [[\"industry\", \"size\"], [\"industry\"]]}";
    crm_wallet *w = NULL;
    CHECK_OK(crm_wallet_new(base, as_of, config, strlen(config), &w));
    CHECK(crm_wallet_count(w) == 12);
    CHECK(crm_wallet_as_of(w) == as_of);

    const double wallet[12] = {370, 370, 370, 370, 360, 360, 56, 56, 56, 1000, 332, 400};
    const double growth[12] = {270, 170, 70, 0, 310, 360, 36, 16, 0, 500, 252, 250};
    const uint8_t source[12] = {CRM_WALLET_SOURCE_GROUP,         CRM_WALLET_SOURCE_GROUP,
                                CRM_WALLET_SOURCE_GROUP,         CRM_WALLET_SOURCE_GROUP,
                                CRM_WALLET_SOURCE_COARSER_GROUP, CRM_WALLET_SOURCE_COARSER_GROUP,
                                CRM_WALLET_SOURCE_GROUP,         CRM_WALLET_SOURCE_GROUP,
                                CRM_WALLET_SOURCE_GROUP,         CRM_WALLET_SOURCE_ATTRIBUTE,
                                CRM_WALLET_SOURCE_COARSER_GROUP, CRM_WALLET_SOURCE_BASE};
    double copied[12];
    CHECK_OK(crm_wallet_copy_wallet(w, copied, 12));
    size_t i;
    for (i = 0; i < 12; i++) {
        crm_wallet_customer c;
        CHECK_OK(crm_wallet_customer_at(w, i, &c));
        CHECK_NEAR(c.wallet, wallet[i]);
        CHECK_NEAR(copied[i], wallet[i]);
        CHECK_NEAR(c.growth_potential, growth[i]);
        CHECK(c.source == source[i]);
    }
    crm_wallet_customer c;
    CHECK_OK(crm_wallet_customer_at(w, 8, &c)); /* customer 9: 60 > 56 */
    CHECK(c.over_wallet && c.share == 1.0 && c.rank == 11);
    CHECK_OK(crm_wallet_customer_at(w, 11, &c)); /* customer 12: the whole base */
    CHECK_NEAR(c.share, 0.375);
    CHECK(c.group == 6 && c.rank == 5 && c.attribute_problem == CRM_WALLET_PROBLEM_MISSING);
    CHECK_OK(crm_wallet_customer_at(w, 10, &c));
    CHECK(c.attribute_problem == CRM_WALLET_PROBLEM_NEGATIVE);
    CHECK_OK(crm_wallet_customer_at(w, 4, &c));
    CHECK(c.attribute_problem == CRM_WALLET_PROBLEM_NOT_A_NUMBER);
    CHECK_OK(crm_wallet_customer_at(w, 9, &c));
    CHECK(c.attribute_problem == CRM_WALLET_PROBLEM_NONE && c.group == -1 && c.rank == 0);
    /* The work list: 10, 5, 1, ... (customer 6 has no spend in the window). */
    uint32_t first = 99;
    CHECK(crm_wallet_work_list_len(w) == 11);
    CHECK_OK(crm_wallet_work_list_at(w, 1, &first));
    CHECK(first == 4);
    char *json = NULL;
    size_t len = 0;
    CHECK_OK(crm_wallet_to_json(w, &json, &len));
    CHECK(len == strlen(json));
    CHECK(json_has(json, "\"key\":\"industry=retail, size=small\""));
    /* The top segment (10, 4): customer 4 spends 30 above its wallet of 370, so the row's
       share counts 500 + 370 of the 1,370 wallet; with the growth potential of 500 that
       is the whole wallet. */
    CHECK_OK(crm_wallet_to_json(w, &json, &len));
    CHECK(json_has(json, "\"group\":\"top\",\"growth_potential\":500.0,\"mean_share\":0.75,\"over_wallet\":1,"
                         "\"share\":0.635036496350365,\"spend\":900.0,\"wallet\":1370.0}"));

    /* Bad input: checked pointers, ranges and indices. */
    CHECK_FAILS(crm_wallet_customer_at(w, 12, &c), CRM_RESULT_OUT_OF_RANGE, "");
    CHECK_FAILS(crm_wallet_copy_share(w, copied, 11), CRM_RESULT_LENGTH_MISMATCH, "");
    CHECK_FAILS(crm_wallet_customer_at(NULL, 0, &c), CRM_RESULT_NULL_PARAMETER, "wallet");
    crm_wallet *bad = NULL;
    const char q[] = "{\"quantile\": 0.2}";
    CHECK_FAILS(crm_wallet_new(base, as_of, q, strlen(q), &bad), CRM_RESULT_INVALID_CONFIG, "quantile");
    CHECK(bad == NULL);
    crm_wallet_free(w);
    crm_wallet_free(NULL);

    /* The report takes the same rules as JSON: its wallet table per value segment adds up
       the wallets above (top = customers 10 and 4: 1000 + 370; middle = 3, 2, 12, 1, 11, 9:
       1898; bottom = 5, 8, 7: 472), its profiles cover only the attribute asked for. */
    crm_report_config rules = crm_report_config_default();
    CHECK(rules.wallet_json == NULL && rules.wallet_len == 0 && rules.profiles_json == NULL);
    const char only_size[] = "{\"categorical\": [\"size\"], \"numeric\": []}";
    rules.wallet_json = config;
    rules.wallet_len = strlen(config);
    rules.profiles_json = only_size;
    rules.profiles_len = strlen(only_size);
    crm_report *r = NULL;
    CHECK_OK(crm_report_new(base, as_of, &rules, &r));
    json = NULL;
    CHECK_OK(crm_report_to_json(r, &json, NULL));
    CHECK(strstr(json, "\"group\": \"top\",\n        \"customers\": 2,\n        \"spend\": 900.0,\n"
                       "        \"wallet\": 1370.0") != NULL);
    CHECK(strstr(json, "\"spend\": 890.0,\n        \"wallet\": 1898.0") != NULL);
    CHECK(strstr(json, "\"spend\": 110.0,\n        \"wallet\": 472.0") != NULL);
    CHECK(strstr(json, "\"attribute\": \"size\"") != NULL && strstr(json, "\"attribute\": \"industry\"") == NULL);
    crm_string_free(json);
    crm_report_free(r);
    /* Bad rules name the field; a NULL text with a length is refused. */
    rules.wallet_json = q;
    rules.wallet_len = strlen(q);
    r = NULL;
    CHECK_FAILS(crm_report_new(base, as_of, &rules, &r), CRM_RESULT_INVALID_CONFIG, "quantile");
    CHECK(r == NULL);
    const char typo[] = "{\"quantil\": 0.8}";
    rules.wallet_json = typo;
    rules.wallet_len = strlen(typo);
    CHECK_FAILS(crm_report_new(base, as_of, &rules, &r), CRM_RESULT_INVALID_CONFIG, "quantil");
    rules.wallet_json = NULL;
    rules.wallet_len = 3;
    CHECK_FAILS(crm_report_new(base, as_of, &rules, &r), CRM_RESULT_NULL_PARAMETER, "wallet_json");

    /* Profiles by industry: manufacturing 6 of 6 against 6 of 12, index 200, significant. */
    const char pc[] = "{\"by\": {\"type\": \"attribute\", \"attribute\": \"industry\"}, "
                      "\"categorical\": [\"industry\", \"size\"], \"numeric\": [\"employees\"], \"min_group_size\": 1}";
    crm_profiles *p = NULL;
    CHECK_OK(crm_profiles_new(base, as_of, pc, strlen(pc), &p));
    CHECK(crm_profiles_group_count(p) == 2);
    CHECK(crm_profiles_categorical_count(p) == 2 * (3 + 2));
    CHECK(crm_profiles_trait_count(p) == 2);
    /* Chi-square per attribute and group (crm-core/tests/wallet_profiles.rs): industry x
     * manufacturing 12 with 2 df (p = exp(-6)); size x retail 121/144 x (12/35 + 12/25 +
     * 12/49 + 12/35), p 0.2762784158 (scipy chi2_contingency, no correction). */
    CHECK(crm_profiles_chi_square_count(p) == 4);
    crm_profile_chi_square chi;
    CHECK_OK(crm_profiles_chi_square_at(p, 0, &chi));
    CHECK(chi.attribute == 0 && chi.group == 0 && chi.df == 2 && chi.low_expected && chi.significant);
    CHECK_NEAR(chi.statistic, 12.0);
    CHECK_NEAR(chi.p_value, exp(-6.0));
    CHECK_OK(crm_profiles_chi_square_at(p, 3, &chi));
    CHECK(chi.attribute == 1 && chi.group == 1 && chi.df == 1 && !chi.significant);
    CHECK_NEAR(chi.statistic, 121.0 / 144.0 * (12.0 / 35.0 + 12.0 / 25.0 + 12.0 / 49.0 + 12.0 / 35.0));
    CHECK(fabs(chi.p_value - 0.2762784158) < 1e-9);
    CHECK_FAILS(crm_profiles_chi_square_at(p, 4, &chi), CRM_RESULT_OUT_OF_RANGE, "");
    CHECK(crm_profiles_chi_square_count(NULL) == 0);
    const char *text = NULL;
    CHECK_OK(crm_profiles_trait_text(p, 0, &text));
    CHECK(strcmp(text, "manufacturing: industry manufacturing, index 200, 100 % vs 50 %") == 0);
    CHECK_OK(crm_profiles_trait_text(p, 1, &text));
    CHECK(strcmp(text, "retail: industry retail, index 240, 100 % vs 42 %") == 0);
    int64_t group = 0;
    CHECK_OK(crm_profiles_group_of(p, 11, &group));
    CHECK(group == -1);
    CHECK_OK(crm_profiles_group_of(p, 6, &group));
    CHECK(group == 1);
    json = NULL;
    CHECK_OK(crm_profiles_to_json(p, &json, NULL));
    /* Keys are written in alphabetical order. */
    CHECK(json_has(json, "\"mean\":755.0,\"median\":650.0,\"missing\":0,\"q1\":140.0,\"q3\":1100.0"));
    CHECK_FAILS(crm_profiles_trait_text(p, 2, &text), CRM_RESULT_OUT_OF_RANGE, "");
    crm_profiles_free(p);
    crm_profiles_free(NULL);

    /* Default rules: profiles of the value segments (all groups small: stated). */
    CHECK_OK(crm_profiles_new(base, as_of, NULL, 0, &p));
    CHECK(crm_profiles_group_count(p) == 3);
    json = NULL;
    CHECK_OK(crm_profiles_to_json(p, &json, NULL));
    CHECK(json_has(json, "top (2), middle (6), bottom (3)"));
    crm_profiles_free(p);

    crm_base_free(base);

    /* The quantile regression on employees (customer 12 without them): the 0.9 line through
     * customers 9 (12, 60) and 10 (900, 500), 6000 / 111 + 55 / 111 x employees. */
    base = hand_worked_base(0);
    const char rc[] = "{\"attribute\": \"potential\", \"min_peers\": 3, \"regression\": [\"employees\"], "
                      "\"levels\": [[\"industry\", \"size\"], [\"industry\"]]}";
    CHECK_OK(crm_wallet_new(base, as_of, rc, strlen(rc), &w));
    CHECK(crm_wallet_regression_len(w) == 2);
    double coefficients[2];
    CHECK_OK(crm_wallet_copy_regression(w, coefficients, 2));
    CHECK_NEAR(coefficients[0], 6000.0 / 111.0);
    CHECK_NEAR(coefficients[1], 55.0 / 111.0);
    for (i = 0; i < 12; i++) {
        CHECK_OK(crm_wallet_customer_at(w, i, &c));
        if (i == 9) {
            CHECK(c.source == CRM_WALLET_SOURCE_ATTRIBUTE && c.wallet == 1000.0);
        } else if (i == 11) {
            CHECK(c.source == CRM_WALLET_SOURCE_BASE && c.group == 6);
            CHECK_NEAR(c.wallet, 400.0);
        } else {
            CHECK(c.source == CRM_WALLET_SOURCE_REGRESSION && c.group == -1);
            CHECK_NEAR(c.wallet, (6000.0 + 55.0 * EMPLOYEES[i]) / 111.0);
        }
    }
    CHECK_FAILS(crm_wallet_copy_regression(w, coefficients, 1), CRM_RESULT_LENGTH_MISMATCH, "");
    json = NULL;
    CHECK_OK(crm_wallet_to_json(w, &json, NULL));
    CHECK(json_has(json, "1 customer(s) lack an attribute"));
    crm_wallet_free(w);
    const char twice[] = "{\"regression\": [\"employees\", \"employees\"]}";
    CHECK_FAILS(crm_wallet_new(base, as_of, twice, strlen(twice), &bad), CRM_RESULT_INVALID_CONFIG, "regression");
    CHECK(crm_wallet_regression_len(NULL) == 0);
    crm_base_free(base);
    if (check_failures) {
        fprintf(stderr, "%d check(s) failed\n", check_failures);
        return 1;
    }
    puts("test_wallet: ok");
    return 0;
}
