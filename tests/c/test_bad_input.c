/* The bad-input matrix of issue #13 on the C face: one table row per (input, entry point)
 * with the crm_result it must return and the place its detail must name. The case names are
 * the ones of tests/python/test_bad_input.py, which checks that both tables agree (same
 * names, same kind codes); a new entry point is a new row here and there.
 *
 * Each case builds what it needs, makes the one call that must fail, frees what it built
 * and returns that call's code: the detail is read before any other fallible call. */
#define CRM_TEST_PANIC 1
#include "check.h"

#include <stdint.h>

/* Days since 1970-01-01 of dates in 2024. */
enum { JAN_1 = 19723, FEB_1 = 19754, MAR_1 = 19783, JUN_1 = 19875, JUN_30 = 19904, DEC_1 = 20058, DEC_31 = 20088 };

static const int64_t IDS[] = {1, 2};
static const double ONES[] = {1.0, 1.0};

/* Customer 1 buys on 2024-01-01 and 2024-03-01, customer 2 on 2024-02-01. */
static crm_base *two_buyers(void) {
    const int64_t ids[] = {1, 1, 2};
    const int64_t days[] = {JAN_1, MAR_1, FEB_1};
    const double amounts[] = {10.0, 20.0, 30.0};
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_int(b, ids, 3, days, 3, CRM_TIME_UNIT_DAYS, amounts, 3, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    return base;
}

/* Writes `text` to build/bad_input_<name> (the tests run in tests/c) and returns the path. */
static const char *file_with(const char *name, const char *text) {
    static char path[256];
    snprintf(path, sizeof path, "build/bad_input_%s", name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

/* Builds a base whose transactions come from the CSV text `tx` (and customers from `cu`
 * when not NULL), bad rows handled by `on_error`; the code of the first call that fails, or
 * of the build. */
static crm_result from_csv_on_error(const char *tx, const char *cu, crm_on_error on_error) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    crm_result rc;
    crm_transaction_csv spec = crm_transaction_csv_default();
    crm_csv_options options = crm_csv_options_default();
    spec.options.on_error = on_error;
    options.on_error = on_error;
    CHECK_OK(crm_base_builder_new(&b));
    const char *path = file_with("tx.csv", tx);
    rc = crm_base_builder_add_transactions_csv(b, path, strlen(path), &spec, NULL);
    if (rc == CRM_RESULT_OK && cu != NULL) {
        path = file_with("cu.csv", cu);
        rc = crm_base_builder_add_customers_csv(b, path, strlen(path), &options, NULL);
    }
    if (rc == CRM_RESULT_OK) rc = crm_base_builder_build(b, &base);
    crm_base_free(base);
    crm_base_builder_free(b);
    return rc;
}

static crm_result from_csv(const char *tx, const char *cu) { return from_csv_on_error(tx, cu, CRM_ON_ERROR_FAIL); }

/* Adds transactions of customers 1 and 2 at `times` (in `unit`) and builds; the code of
 * the add or of the build. */
static crm_result build_days(const int64_t *times, uint8_t unit, const double *amounts) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    crm_result rc = crm_base_builder_add_transactions_int(b, IDS, 2, times, 2, unit, amounts, 2, NULL, 0);
    if (rc == CRM_RESULT_OK) rc = crm_base_builder_build(b, &base);
    crm_base_free(base);
    crm_base_builder_free(b);
    return rc;
}

/* ---- Values (item 1, 6, 15 and the basics) ---- */

static crm_result nan_amount(void) {
    const int64_t days[] = {JAN_1, JAN_1};
    const double amounts[] = {1.0, NAN};
    return build_days(days, CRM_TIME_UNIT_DAYS, amounts);
}

static crm_result far_date_date32(void) {
    const int64_t days[] = {0, 2147483647};
    return build_days(days, CRM_TIME_UNIT_DAYS, ONES);
}

static crm_result far_date_year_300000(void) {
    const int64_t secs_[] = {1704067200, 9404918380800}; /* 2024-01-01, 300000-01-01 */
    return build_days(secs_, CRM_TIME_UNIT_SECONDS, ONES);
}

static crm_result timestamp_s_max(void) {
    const int64_t secs_[] = {0, INT64_MAX};
    return build_days(secs_, CRM_TIME_UNIT_SECONDS, ONES);
}

static crm_result days_2_pow_40(void) {
    const int64_t days[] = {0, 1099511627776};
    return build_days(days, CRM_TIME_UNIT_DAYS, ONES);
}

/* Customers 1 (acquired 2024-01-01) and 2 with the acquisition day `far`, built; the
 * code of the first call that fails (the setter checks the day: its argument). */
static crm_result customers_with_day(int32_t far) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    const int32_t days[] = {JAN_1, far};
    crm_result rc = CRM_RESULT_OK;
    size_t i;
    CHECK_OK(crm_base_builder_new(&b));
    for (i = 0; i < 2 && rc == CRM_RESULT_OK; i++) {
        crm_customer *c = NULL;
        CHECK_OK(crm_customer_new(&c));
        CHECK_OK(crm_customer_set_id_int(c, IDS[i]));
        rc = crm_customer_set_acquisition_date(c, days[i]);
        if (rc == CRM_RESULT_OK) CHECK_OK(crm_base_builder_add_customer(b, c));
        crm_customer_free(c);
    }
    if (rc == CRM_RESULT_OK) rc = crm_base_builder_build(b, &base);
    crm_base_free(base);
    crm_base_builder_free(b);
    return rc;
}

static crm_result far_customer_date(void) { return customers_with_day(INT32_MAX); }

static crm_result undecodable_bytes_ids(void) {
    crm_base_builder *b = NULL;
    const crm_str ids[] = {{"ok", 2}, {"\xff", 1}, {"\xfe", 1}};
    const int64_t days[] = {JAN_1, JAN_1, JAN_1};
    const double amounts[] = {1.0, 1.0, 1.0};
    CHECK_OK(crm_base_builder_new(&b));
    crm_result rc = crm_base_builder_add_transactions_str(b, ids, 3, days, 3, CRM_TIME_UNIT_DAYS, amounts, 3, NULL, 0);
    crm_base_builder_free(b);
    return rc;
}

static crm_result far_interaction_date(void) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    const int64_t times[] = {0, INT64_MAX};
    const uint8_t channels[] = {CRM_CHANNEL_WEB, CRM_CHANNEL_WEB};
    const uint8_t directions[] = {CRM_DIRECTION_INBOUND, CRM_DIRECTION_INBOUND};
    const crm_str kinds[] = {{"a", 1}, {"a", 1}};
    crm_interaction_columns c = crm_interaction_columns_default();
    c.customer_ids_int = IDS;
    c.customer_ids_len = 2;
    c.timestamps = times;
    c.timestamps_len = 2;
    c.channels = channels;
    c.channels_len = 2;
    c.directions = directions;
    c.directions_len = 2;
    c.kinds = kinds;
    c.kinds_len = 2;
    CHECK_OK(crm_base_builder_new(&b));
    crm_result rc = crm_base_builder_add_interactions(b, &c);
    if (rc == CRM_RESULT_OK) rc = crm_base_builder_build(b, &base);
    crm_base_free(base);
    crm_base_builder_free(b);
    return rc;
}

static crm_result csv_customer_far_date(void) {
    return from_csv("customer_id,date,amount\nA,2024-01-05,100\n",
                    "id,acquisition_date\nA,2024-01-01\nB,0999-12-31\n");
}

/* (NaN clears the cost in C, so the C case is an infinity.) */
static crm_result inf_acquisition_cost(void) {
    crm_customer *c = NULL;
    CHECK_OK(crm_customer_new(&c));
    crm_result rc = crm_customer_set_acquisition_cost(c, INFINITY);
    crm_customer_free(c);
    return rc;
}

/* ---- Customers ---- */

/* A customer table of `table` (n ids) and transactions of customers 1 and `other`. */
static crm_result with_customer_table(const int64_t *table, size_t n, int64_t other) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    const int64_t ids[] = {1, other};
    const int64_t days[] = {JAN_1, JAN_1};
    CHECK_OK(crm_base_builder_new(&b));
    crm_result rc = crm_base_builder_add_customers_int(b, table, n);
    if (rc == CRM_RESULT_OK)
        rc = crm_base_builder_add_transactions_int(b, ids, 2, days, 2, CRM_TIME_UNIT_DAYS, ONES, 2, NULL, 0);
    if (rc == CRM_RESULT_OK) rc = crm_base_builder_build(b, &base);
    crm_base_free(base);
    crm_base_builder_free(b);
    return rc;
}

static crm_result unknown_customer(void) { return with_customer_table(IDS, 2, 5); }

static crm_result duplicate_customer(void) {
    const int64_t table[] = {1, 2, 1};
    return with_customer_table(table, 3, 2);
}

static crm_result id_kind_mismatch(void) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    const crm_str table[] = {{"a", 1}, {"b", 1}};
    const int64_t days[] = {JAN_1, JAN_1};
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_customers_str(b, table, 2));
    CHECK_OK(crm_base_builder_add_transactions_int(b, IDS, 2, days, 2, CRM_TIME_UNIT_DAYS, ONES, 2, NULL, 0));
    crm_result rc = crm_base_builder_build(b, &base);
    crm_base_free(base);
    crm_base_builder_free(b);
    return rc;
}

static crm_result length_mismatch(void) {
    crm_base_builder *b = NULL;
    const int64_t days[] = {JAN_1, JAN_1};
    CHECK_OK(crm_base_builder_new(&b));
    crm_result rc = crm_base_builder_add_transactions_int(b, IDS, 2, days, 2, CRM_TIME_UNIT_DAYS, ONES, 1, NULL, 0);
    crm_base_builder_free(b);
    return rc;
}

/* ---- Arguments (items 2, 7, 10, 14) ---- */

static crm_result inactivity_days_2_pow_31(void) {
    crm_base *base = two_buyers();
    crm_lifecycle *l = NULL;
    crm_lifecycle_config c = crm_lifecycle_config_default();
    c.inactivity_days = 2147483648u;
    crm_result rc = crm_lifecycle_new(base, DEC_31, &c, &l);
    crm_lifecycle_free(l);
    crm_base_free(base);
    return rc;
}

static crm_result window_days_3e9(void) {
    crm_base *base = two_buyers();
    crm_segments *s = NULL;
    crm_segments_config c = crm_segments_config_default();
    c.window_days = 3000000000u;
    crm_result rc = crm_segments_new(base, DEC_31, &c, &s);
    crm_segments_free(s);
    crm_base_free(base);
    return rc;
}

static crm_result flows_inactivity_days(void) {
    crm_base *base = two_buyers();
    crm_flows *f = NULL;
    crm_flow_config c = crm_flow_config_default();
    c.inactivity_days = 2147483648u;
    crm_result rc = crm_flows_new(base, JAN_1, DEC_31, &c, &f);
    crm_flows_free(f);
    crm_base_free(base);
    return rc;
}

/* Parses the funnel `json` and runs it on two buyers (entries in 2024 to 2024-12-01). */
static crm_result funnel(const char *json) {
    crm_base *base = two_buyers();
    crm_funnel *f = NULL;
    crm_funnel_result *r = NULL;
    crm_result rc = crm_funnel_new_json(json, strlen(json), &f);
    if (rc == CRM_RESULT_OK) {
        crm_funnel_period p = crm_funnel_period_default();
        p.entry_from = JAN_1;
        p.entry_to = DEC_1;
        p.as_of = DEC_31;
        rc = crm_funnel_result_new(base, f, &p, &r);
    }
    crm_funnel_result_free(r);
    crm_funnel_free(f);
    crm_base_free(base);
    return rc;
}

static crm_result funnel_window_days(void) {
    return funnel("{\"name\": \"f\", \"steps\": [{\"name\": \"a\", \"event\": {\"type\": \"purchase\"}},"
                  " {\"name\": \"b\", \"event\": {\"type\": \"purchase\"}, \"window_days\": 2147483648}]}");
}

static crm_result funnel_unknown_field(void) {
    return funnel("{\"name\": \"f\", \"steps\": [{\"name\": \"a\", \"event\": {\"type\": \"purchase\"},"
                  " \"windw_days\": 7}]}");
}

/* Parses the scoring model `json` and scores two buyers on 2024-12-31. */
static crm_result score(const char *json) {
    crm_base *base = two_buyers();
    crm_scoring_model *m = NULL;
    crm_scores *s = NULL;
    crm_result rc = crm_scoring_model_new_json(json, strlen(json), &m);
    if (rc == CRM_RESULT_OK) rc = crm_scores_new(base, m, DEC_31, &s);
    crm_scores_free(s);
    crm_scoring_model_free(m);
    crm_base_free(base);
    return rc;
}

static crm_result scoring_days(void) {
    return score("{\"rules\": [{\"name\": \"r\", \"weight\": 1.0, \"condition\": "
                 "{\"type\": \"purchase_within\", \"days\": 4294967295}}]}");
}

static crm_result scoring_unknown_field(void) {
    return score("{\"rules\": [{\"name\": \"r\", \"wieght\": 2, \"weight\": 1, \"condition\": "
                 "{\"type\": \"purchase_within\", \"days\": 9}}]}");
}

static crm_result backtest_horizon_days(void) {
    crm_base *base = two_buyers();
    crm_scoring_model *m = NULL;
    crm_backtest *bt = NULL;
    const char *outcome = "{\"type\": \"purchase\"}";
    CHECK_OK(crm_scoring_model_new_json("{\"rules\": []}", 13, &m));
    crm_result rc = crm_backtest_new(base, m, JUN_30, outcome, strlen(outcome), 2147483647u, &bt);
    crm_backtest_free(bt);
    crm_scoring_model_free(m);
    crm_base_free(base);
    return rc;
}

static crm_result process_unknown_field(void) {
    const char *toml = "id = \"P:9\"\nname = \"p\"\nkind = \"retain\"\n\n[[dialogs]]\nid = \"D:1\"\nname = \"d\"\n"
                       "trigger = { type = \"event\", kind = \"x\" }\ntiming = { type = \"immediately\" }\n"
                       "channel = \"email\"\nrequires_permision = false\n";
    crm_process *p = NULL;
    crm_result rc = crm_process_new_toml(toml, strlen(toml), &p);
    crm_process_free(p);
    return rc;
}

static crm_result retention_clv_retention_2(void) {
    double v = 0;
    return crm_retention_clv(100.0, 2.0, 0.1, &v);
}

static crm_result discounted_clv_rate_minus_1(void) {
    double v = 0;
    return crm_discounted_clv(100.0, 2.0, -1.0, &v);
}

static crm_result sample_size_alpha_0(void) {
    uint64_t n = 0;
    return crm_sample_size(0.5, 0.6, 0.0, 0.8, &n);
}

static crm_result flow_series_count_2_pow_40(void) {
    crm_base *base = two_buyers();
    crm_flows *f = NULL;
    crm_result rc = crm_flows_new_series(base, JAN_1, CRM_PERIOD_MONTH, (size_t)1099511627776ULL, NULL, &f);
    crm_flows_free(f);
    crm_base_free(base);
    return rc;
}

static crm_result migration_periods_1e9(void) {
    crm_base *base = two_buyers();
    crm_migration *m = NULL;
    double start[16] = {0}, out[16];
    crm_result rc = crm_migration_new_lifecycle(base, JAN_1, JUN_1, NULL, &m);
    if (rc == CRM_RESULT_OK) {
        size_t states = crm_migration_state_count(m);
        rc = crm_migration_project(m, start, states, 1000000000u, out, 16);
    }
    crm_migration_free(m);
    crm_base_free(base);
    return rc;
}

/* ---- Data the analysis needs ---- */

static crm_result margin_without_margins(void) {
    crm_base *base = two_buyers();
    crm_segments *s = NULL;
    crm_segments_config c = crm_segments_config_default();
    c.measure = CRM_VALUE_MEASURE_MARGIN;
    crm_result rc = crm_segments_new(base, DEC_31, &c, &s);
    crm_segments_free(s);
    crm_base_free(base);
    return rc;
}

/* ---- Files (items 3, 9, 15) ---- */

static crm_result csv_bad_amount(void) { return from_csv("customer_id,date,amount\nA,2024-01-05,x\n", NULL); }

static crm_result csv_missing_column(void) { return from_csv("who,date,amount\nA,2024-01-05,1\n", NULL); }

static crm_result csv_invalid_utf8(void) {
    return from_csv("customer_id,date,amount\nA,2024-01-01,1\nB,2024-01-02,2\nC\xff,2024-01-03,3\n", NULL);
}

/* CRLF files where a rejected row (skipped) comes before the offending one, so its line is
 * not its index among loaded rows plus 2 (item 15). Customers: line 3 has a bad date,
 * Gamma's quoted name spans lines 4-5, and line 6 repeats customer 1 of line 2. */
static crm_result csv_duplicate_customer_line(void) {
    return from_csv_on_error("customer_id,date,amount\r\n1,2024-01-05,100\r\n",
                             "id,name,acquisition_date\r\n1,Alfa,2024-01-01\r\n2,Beta,2024-13-45\r\n"
                             "3,\"Gamma\r\nAB\",2024-02-01\r\n1,Alfa,2024-03-01\r\n",
                             CRM_ON_ERROR_SKIP);
}

/* Transactions: line 3 has a bad date, line 4 is blank, customer 9 on line 6 is unknown. */
static crm_result csv_unknown_customer_line(void) {
    return from_csv_on_error("customer_id,date,amount\r\n1,2024-01-05,10\r\n3,not a date,5\r\n\r\n"
                             "3,2024-01-06,7\r\n9,2024-01-07,8\r\n",
                             "id\r\n1\r\n3\r\n", CRM_ON_ERROR_SKIP);
}

static crm_result csv_column_twice(void) { return from_csv("customer_id,date,amount,amount\nA,2024-01-01,1,2\n", NULL); }

static crm_result file_not_found(void) {
    crm_base_builder *b = NULL;
    const char *path = "build/bad_input_missing.csv";
    CHECK_OK(crm_base_builder_new(&b));
    crm_result rc = crm_base_builder_add_transactions_csv(b, path, strlen(path), NULL, NULL);
    crm_base_builder_free(b);
    return rc;
}

/* ---- No panic crosses the boundary (item 13) ---- */

static crm_result internal_panic(void) { return crm_test_panic(); }

/* One row: the case (named as in test_bad_input.py), the item of issue #13, the call, the
 * code it must return and what its detail must contain (the row / column / field named). */
typedef struct {
    const char *name;
    const char *item;
    crm_result (*call)(void);
    crm_result expected;
    const char *names;
} bad_input;

#define CASE(name, item, expected, names) {#name, item, name, expected, names}

static const bad_input CASES[] = {
    /* Values. */
    CASE(nan_amount, "values", CRM_RESULT_INVALID_VALUE, "row 1, column `amount`: NaN is not a finite number"),
    CASE(far_date_date32, "1", CRM_RESULT_INVALID_VALUE, "row 1, column `timestamp`: timestamp 185542587100800 s is outside the supported years 1000..=9999"),
    CASE(far_date_year_300000, "1", CRM_RESULT_INVALID_VALUE, "row 1, column `timestamp`: timestamp 9404918380800 s is outside the supported years"),
    CASE(timestamp_s_max, "1", CRM_RESULT_INVALID_VALUE, "row 1, column `timestamp`: timestamp 9223372036854775807 s is outside the supported years"),
    CASE(far_customer_date, "1", CRM_RESULT_INVALID_ARGUMENT, "`day` = 2147483647 days is outside the supported dates"),
    CASE(days_2_pow_40, "6", CRM_RESULT_INVALID_VALUE, "row 1, column `timestamp`"),
    /* C checks UTF-8 at its boundary (its own code), before the core sees the ids. */
    CASE(undecodable_bytes_ids, "4", CRM_RESULT_INVALID_UTF8, "row 1, column `customer`"),
    CASE(far_interaction_date, "15", CRM_RESULT_INVALID_VALUE, "row 1, column `timestamp (interactions)`: timestamp 9223372036854775807 s is outside the supported years"),
    CASE(csv_customer_far_date, "15", CRM_RESULT_INVALID_VALUE, "row 1, column `acquisition_date`: 0999-12-31 is outside the supported years"),
    CASE(inf_acquisition_cost, "15", CRM_RESULT_INVALID_VALUE, "`acquisition_cost`"),
    /* Customers. */
    CASE(unknown_customer, "values", CRM_RESULT_UNKNOWN_CUSTOMER, "row 1, column `customer (transactions)`: unknown customer `5`"),
    CASE(duplicate_customer, "values", CRM_RESULT_DUPLICATE_CUSTOMER, "row 2: duplicate customer id `1` (first in row 0)"),
    CASE(id_kind_mismatch, "values", CRM_RESULT_ID_KIND_MISMATCH, "integer"),
    CASE(length_mismatch, "values", CRM_RESULT_LENGTH_MISMATCH, "column `amount` has 1 values but `customer` has 2"),
    /* Arguments. */
    CASE(inactivity_days_2_pow_31, "2", CRM_RESULT_INVALID_CONFIG, "`inactivity_days`: 2147483648 days is not in 1..=36500"),
    CASE(window_days_3e9, "2", CRM_RESULT_INVALID_CONFIG, "`window_days`: 3000000000 days is not in 1..=36500"),
    CASE(flows_inactivity_days, "2", CRM_RESULT_INVALID_CONFIG, "`inactivity_days`"),
    CASE(funnel_window_days, "2", CRM_RESULT_INVALID_CONFIG, "`window_days`"),
    CASE(scoring_days, "2", CRM_RESULT_INVALID_CONFIG, "`days`"),
    CASE(backtest_horizon_days, "2", CRM_RESULT_INVALID_CONFIG, "`horizon_days`"),
    CASE(process_unknown_field, "7", CRM_RESULT_INVALID_CONFIG, "did you mean `requires_permission`?"),
    CASE(funnel_unknown_field, "7", CRM_RESULT_INVALID_CONFIG, "did you mean `window_days`?"),
    CASE(scoring_unknown_field, "7", CRM_RESULT_INVALID_CONFIG, "did you mean `weight`?"),
    CASE(retention_clv_retention_2, "10", CRM_RESULT_INVALID_CONFIG, "`retention`"),
    CASE(discounted_clv_rate_minus_1, "10", CRM_RESULT_INVALID_CONFIG, "`discount`"),
    CASE(sample_size_alpha_0, "10", CRM_RESULT_INVALID_CONFIG, "`alpha`"),
    CASE(flow_series_count_2_pow_40, "14", CRM_RESULT_INVALID_CONFIG, "`count`"),
    CASE(migration_periods_1e9, "14", CRM_RESULT_INVALID_CONFIG, "`periods`: 1000000000 periods is not in 1..=1200"),
    /* Data the analysis needs. */
    CASE(margin_without_margins, "values", CRM_RESULT_MISSING_DATA, "margin"),
    /* Files. */
    CASE(csv_bad_amount, "15", CRM_RESULT_CSV, "line 2, column `amount`"),
    CASE(csv_missing_column, "15", CRM_RESULT_CSV, "customer_id"),
    CASE(csv_invalid_utf8, "3", CRM_RESULT_CSV, "line 4, column `customer_id`: the value is not valid UTF-8"),
    CASE(csv_column_twice, "9", CRM_RESULT_CSV, "line 1, column `amount`: the header names column `amount` twice"),
    CASE(csv_duplicate_customer_line, "15", CRM_RESULT_DUPLICATE_CUSTOMER, "bad_input_cu.csv, line 6: duplicate customer id `1` (first on line 2)"),
    CASE(csv_unknown_customer_line, "15", CRM_RESULT_UNKNOWN_CUSTOMER, "bad_input_tx.csv, line 6, column `customer (transactions)`: unknown customer `9`"),
    CASE(file_not_found, "files", CRM_RESULT_FILE_NOT_FOUND, "bad_input_missing.csv"),
    /* No panic crosses the boundary. */
    CASE(internal_panic, "13", CRM_RESULT_PANIC, "panic inside crm: deliberate test panic"),
};

int main(void) {
    size_t i;
    for (i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const bad_input *c = &CASES[i];
        crm_last_error_clear();
        crm_result rc = c->call();
        const char *detail = crm_last_error_detail();
        if (rc != c->expected) {
            fprintf(stderr, "%s (item %s): returned %u, expected %u: %s\n", c->name, c->item, (unsigned)rc,
                    (unsigned)c->expected, detail);
            check_failures++;
        } else if (strstr(detail, c->names) == NULL) {
            fprintf(stderr, "%s (item %s): detail \"%s\" lacks \"%s\"\n", c->name, c->item, detail, c->names);
            check_failures++;
        }
    }
    printf("%zu bad-input cases\n", sizeof CASES / sizeof CASES[0]);
    CHECK_DONE();
}
