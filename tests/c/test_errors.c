/* Every error path gives its code and a detail naming what failed, never a crash: NULL
 * pointers, invalid UTF-8, NaN values (row named), unknown customers, bad configs,
 * mismatched and zero lengths, unknown enumeration codes, out-of-range indices, id kinds,
 * missing data, and a panic inside the library (test builds: feature test-panic). */
#define CRM_TEST_PANIC 1
#include "check.h"

static const int64_t IDS[] = {1, 2, 3};
static const int64_t TIMES[] = {0, 86400, 172800};
static const double AMOUNTS[] = {10.0, 20.0, 30.0};

static crm_base *small_base(void) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_int(b, IDS, 3, TIMES, 3, CRM_TIME_UNIT_SECONDS, AMOUNTS, 3, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    return base;
}

static void null_pointers(void) {
    crm_base_builder *b = NULL;
    crm_base *base = small_base();
    crm_summary *s = NULL;
    CHECK_FAILS(crm_base_builder_new(NULL), CRM_RESULT_NULL_PARAMETER, "out_builder");
    CHECK_FAILS(crm_base_builder_add_transactions_int(NULL, IDS, 3, TIMES, 3, 0, AMOUNTS, 3, NULL, 0),
                CRM_RESULT_NULL_PARAMETER, "builder");
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, NULL, 3, TIMES, 3, 0, AMOUNTS, 3, NULL, 0),
                CRM_RESULT_NULL_PARAMETER, "customer_ids");
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, IDS, 3, TIMES, 3, 0, AMOUNTS, 3, NULL, 3),
                CRM_RESULT_NULL_PARAMETER, "margins");
    const crm_str holes[] = {{"a", 1}, {NULL, 4}};
    CHECK_FAILS(crm_base_builder_add_transactions_str(b, holes, 2, TIMES, 2, 0, AMOUNTS, 2, NULL, 0),
                CRM_RESULT_NULL_PARAMETER, "row 1, column `customer`");
    CHECK_FAILS(crm_base_builder_add_interactions(b, NULL), CRM_RESULT_NULL_PARAMETER, "columns");
    CHECK_FAILS(crm_base_builder_add_customer(b, NULL), CRM_RESULT_NULL_PARAMETER, "customer");
    CHECK_FAILS(crm_base_builder_build(b, NULL), CRM_RESULT_NULL_PARAMETER, "out_base");
    CHECK_FAILS(crm_summary_new(NULL, 0, NULL, &s), CRM_RESULT_NULL_PARAMETER, "base");
    CHECK(s == NULL);
    CHECK_FAILS(crm_summary_new(base, 0, NULL, NULL), CRM_RESULT_NULL_PARAMETER, "out_summary");
    CHECK_OK(crm_summary_new(base, 10, NULL, &s));
    CHECK_FAILS(crm_summary_row_at(s, 0, NULL), CRM_RESULT_NULL_PARAMETER, "out_row");
    CHECK_FAILS(crm_summary_copy_revenue(s, NULL, 3), CRM_RESULT_NULL_PARAMETER, "out");
    CHECK_FAILS(crm_summary_to_json(s, NULL, NULL), CRM_RESULT_NULL_PARAMETER, "out_json");
    CHECK_FAILS(crm_summary_copy_revenue(NULL, NULL, 0), CRM_RESULT_NULL_PARAMETER, "summary");
    CHECK_FAILS(crm_base_customer_id_int(base, 0, NULL), CRM_RESULT_NULL_PARAMETER, "out_id");
    CHECK_FAILS(crm_date_from_ymd(2024, 1, 1, NULL), CRM_RESULT_NULL_PARAMETER, "out_day");
    /* Queries on NULL give neutral values; frees of NULL do nothing. */
    CHECK(crm_base_customer_count(NULL) == 0 && crm_summary_count(NULL) == 0 && crm_lifecycle_count(NULL) == 0);
    CHECK(crm_segments_count(NULL) == 0 && crm_segments_table_len(NULL, 0) == 0);
    CHECK(crm_summary_as_of(NULL) == CRM_NO_DATE && !crm_base_has_margin(NULL));
    crm_base_free(NULL);
    crm_base_builder_free(NULL);
    crm_customer_free(NULL);
    crm_summary_free(NULL);
    crm_lifecycle_free(NULL);
    crm_segments_free(NULL);
    crm_string_free(NULL);
    crm_summary_free(s);
    crm_base_builder_free(b);
    crm_base_free(base);
}

static void invalid_utf8(void) {
    crm_base_builder *b = NULL;
    crm_customer *c = NULL;
    crm_base *base = small_base();
    size_t index = 0;
    const crm_str ids[] = {{"ok", 2}, {"\xff\xfe", 2}};
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_FAILS(crm_base_builder_add_transactions_str(b, ids, 2, TIMES, 2, 0, AMOUNTS, 2, NULL, 0),
                CRM_RESULT_INVALID_UTF8, "row 1, column `customer`");
    CHECK_FAILS(crm_base_builder_add_transactions_csv(b, "\xff.csv", 5, NULL, NULL), CRM_RESULT_INVALID_UTF8, "path");
    CHECK_OK(crm_customer_new(&c));
    CHECK_FAILS(crm_customer_set_id_str(c, "\xc3", 1), CRM_RESULT_INVALID_UTF8, "id");
    CHECK_FAILS(crm_customer_set_text(c, CRM_CUSTOMER_FIELD_NAME, "B\xe4rg", 4), CRM_RESULT_INVALID_UTF8, "value");
    CHECK_FAILS(crm_base_index_of_str(base, "\x80", 1, &index), CRM_RESULT_INVALID_UTF8, "id");
    crm_customer_free(c);
    crm_base_builder_free(b);
    crm_base_free(base);
}

static void invalid_values_name_their_row(void) {
    crm_base_builder *b = NULL;
    crm_customer *c = NULL;
    const double nan_amount[] = {1.0, 2.0, NAN};
    const double inf_margin[] = {INFINITY, 0.0, 0.0};
    const crm_str blank[] = {{"a", 1}, {"", 0}};
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, IDS, 3, TIMES, 3, 0, nan_amount, 3, NULL, 0),
                CRM_RESULT_INVALID_VALUE, "row 2, column `amount`: NaN is not a finite number");
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, IDS, 3, TIMES, 3, 0, AMOUNTS, 3, inf_margin, 3),
                CRM_RESULT_INVALID_VALUE, "row 0, column `margin`");
    CHECK_FAILS(crm_base_builder_add_transactions_str(b, blank, 2, TIMES, 2, 0, AMOUNTS, 2, NULL, 0),
                CRM_RESULT_INVALID_VALUE, "row 1, column `customer`: empty customer id");
    const int64_t huge_days[] = {INT64_MAX / 2, 0, 0};
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, IDS, 3, huge_days, 3, CRM_TIME_UNIT_DAYS, AMOUNTS, 3, NULL, 0),
                CRM_RESULT_INVALID_VALUE, "row 0, column `timestamp`");
    /* Issue #13 item 1: ~11.7 million years BC wrapped to 2024; only the years 1000..=9999. */
    const int64_t far_days[] = {0, -2147483648LL, 0};
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, IDS, 3, far_days, 3, CRM_TIME_UNIT_DAYS, AMOUNTS, 3, NULL, 0),
                CRM_RESULT_INVALID_VALUE, "row 1, column `timestamp`: timestamp -185542587187200 s is outside the supported years 1000..=9999");
    CHECK_OK(crm_customer_new(&c));
    CHECK_FAILS(crm_customer_set_acquisition_cost(c, INFINITY), CRM_RESULT_INVALID_VALUE, "acquisition_cost");
    CHECK_FAILS(crm_customer_set_attribute_number(c, "employees", 9, NAN), CRM_RESULT_INVALID_VALUE, "value");
    /* A customer without an id is refused when the base is built. */
    CHECK_OK(crm_base_builder_add_customer(b, c));
    crm_customer_free(c);
    crm_base *base = (crm_base *)&b; /* a sentinel: must stay untouched on failure */
    CHECK_FAILS(crm_base_builder_build(b, &base), CRM_RESULT_INVALID_VALUE, "customer without id");
    CHECK(base == (crm_base *)&b);
    crm_base_builder_free(b);
}

static void unknown_and_duplicate_customers(void) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    const int64_t table[] = {1, 2};
    const int64_t tx[] = {1, 5};
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_customers_int(b, table, 2));
    CHECK_OK(crm_base_builder_add_transactions_int(b, tx, 2, TIMES, 2, 0, AMOUNTS, 2, NULL, 0));
    CHECK_FAILS(crm_base_builder_build(b, &base), CRM_RESULT_UNKNOWN_CUSTOMER,
                "row 1, column `customer (transactions)`: unknown customer `5`");
    CHECK(base == NULL);
    const int64_t dup[] = {1, 2, 1};
    CHECK_OK(crm_base_builder_add_customers_int(b, dup, 3));
    CHECK_FAILS(crm_base_builder_build(b, &base), CRM_RESULT_DUPLICATE_CUSTOMER,
                "row 2: duplicate customer id `1` (first in row 0)");
    crm_base_builder_free(b);

    base = small_base();
    size_t index = 42;
    CHECK_FAILS(crm_base_index_of_int(base, 5, &index), CRM_RESULT_UNKNOWN_CUSTOMER, "`5`");
    CHECK(index == 42);
    crm_base_free(base);
}

static void bad_configs(void) {
    crm_base *base = small_base();
    crm_lifecycle *l = NULL;
    crm_segments *s = NULL;
    crm_summary *sum = NULL;
    crm_lifecycle_config lc = crm_lifecycle_config_default();
    lc.dormant_days = 400;
    CHECK_FAILS(crm_lifecycle_new(base, 10, &lc, &l), CRM_RESULT_INVALID_CONFIG, "invalid config `dormant_days`");
    lc = crm_lifecycle_config_default();
    lc.decline_ratio = NAN;
    CHECK_FAILS(crm_lifecycle_new(base, 10, &lc, &l), CRM_RESULT_INVALID_CONFIG, "decline_ratio");
    crm_segments_config sc = crm_segments_config_default();
    sc.shares[2] = 0.2;
    CHECK_FAILS(crm_segments_new(base, 10, &sc, &s), CRM_RESULT_INVALID_CONFIG, "invalid config `shares`");
    sc = crm_segments_config_default();
    sc.measure = 9;
    CHECK_FAILS(crm_segments_new(base, 10, &sc, &s), CRM_RESULT_INVALID_CONFIG, "`measure`");
    crm_summary_config sumc = crm_summary_config_default();
    sumc.min_span_days = 0;
    CHECK_FAILS(crm_summary_new(base, 10, &sumc, &sum), CRM_RESULT_INVALID_CONFIG, "min_span_days");
    /* Issue #13 item 2: day counts from 2^31 wrapped negative; 1..=36500 days. */
    lc = crm_lifecycle_config_default();
    lc.inactivity_days = 2147483648u;
    CHECK_FAILS(crm_lifecycle_new(base, 10, &lc, &l), CRM_RESULT_INVALID_CONFIG,
                "invalid config `inactivity_days`: 2147483648 days is not in 1..=36500");
    sc = crm_segments_config_default();
    sc.window_days = 3000000000u;
    CHECK_FAILS(crm_segments_new(base, 10, &sc, &s), CRM_RESULT_INVALID_CONFIG, "`window_days`");
    CHECK(l == NULL && s == NULL && sum == NULL);

    crm_base_builder *b = NULL;
    crm_transaction_csv spec = crm_transaction_csv_default();
    CHECK_OK(crm_base_builder_new(&b));
    spec.options.on_error = 7;
    CHECK_FAILS(crm_base_builder_add_transactions_csv(b, "x.csv", 5, &spec, NULL), CRM_RESULT_INVALID_CONFIG,
                "on_error");
    spec = crm_transaction_csv_default();
    spec.options.delimiter = (char)0xe4;
    CHECK_FAILS(crm_base_builder_add_transactions_csv(b, "../data/c_tx_bad.csv", 20, &spec, NULL),
                CRM_RESULT_INVALID_CONFIG, "delimiter");
    crm_base_builder_free(b);
    crm_base_free(base);
}

static void mismatched_and_zero_lengths(void) {
    crm_base_builder *b = NULL;
    crm_base *base = small_base();
    crm_summary *s = NULL;
    crm_lifecycle *l = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, IDS, 3, TIMES, 2, 0, AMOUNTS, 3, NULL, 0),
                CRM_RESULT_LENGTH_MISMATCH, "column `timestamp` has 2 values but `customer` has 3");
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, IDS, 3, TIMES, 3, 0, AMOUNTS, 3, AMOUNTS, 2),
                CRM_RESULT_LENGTH_MISMATCH, "column `margin` has 2 values");
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, IDS, 0, TIMES, 0, 0, AMOUNTS, 0, NULL, 0),
                CRM_RESULT_EMPTY_INPUT, "no rows");
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, NULL, 0, NULL, 0, 0, NULL, 0, NULL, 0), CRM_RESULT_EMPTY_INPUT,
                "");
    CHECK_FAILS(crm_base_builder_add_customers_int(b, IDS, 0), CRM_RESULT_EMPTY_INPUT, "");
    CHECK_FAILS(crm_base_builder_add_transactions_csv(b, "", 0, NULL, NULL), CRM_RESULT_EMPTY_INPUT, "path");

    const uint8_t channels[] = {CRM_CHANNEL_EMAIL, CRM_CHANNEL_WEB};
    const uint8_t directions[] = {CRM_DIRECTION_INBOUND, CRM_DIRECTION_INBOUND};
    const crm_str kinds[] = {{"lead", 4}};
    crm_interaction_columns ix = crm_interaction_columns_default();
    CHECK_FAILS(crm_base_builder_add_interactions(b, &ix), CRM_RESULT_EMPTY_INPUT, "");
    ix.customer_ids_int = IDS;
    ix.customer_ids_len = 2;
    ix.timestamps = TIMES;
    ix.timestamps_len = 2;
    ix.channels = channels;
    ix.channels_len = 2;
    ix.directions = directions;
    ix.directions_len = 2;
    ix.kinds = kinds;
    ix.kinds_len = 1;
    CHECK_FAILS(crm_base_builder_add_interactions(b, &ix), CRM_RESULT_LENGTH_MISMATCH, "column `kind` has 1 values");

    /* Output arrays must have exactly the result's length. */
    double revenue[5];
    size_t counts[8];
    CHECK_OK(crm_summary_new(base, 10, NULL, &s));
    CHECK_FAILS(crm_summary_copy_revenue(s, revenue, 5), CRM_RESULT_LENGTH_MISMATCH, "room for 5 values");
    CHECK_OK(crm_lifecycle_new(base, 10, NULL, &l));
    CHECK_FAILS(crm_lifecycle_copy_counts(l, counts, 7), CRM_RESULT_LENGTH_MISMATCH, "has 8");
    int64_t ids[2];
    CHECK_FAILS(crm_base_copy_customer_ids(base, ids, 2), CRM_RESULT_LENGTH_MISMATCH, "");
    crm_lifecycle_free(l);
    crm_summary_free(s);
    crm_base_builder_free(b);
    crm_base_free(base);
}

static void codes_indices_kinds_and_missing_data(void) {
    crm_base_builder *b = NULL;
    crm_customer *c = NULL;
    crm_base *base = small_base();
    crm_summary *s = NULL;
    crm_segments *seg = NULL;
    crm_lifecycle *l = NULL;
    crm_summary_row row;
    crm_segment_row srow;
    size_t count = 0;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_FAILS(crm_base_builder_add_transactions_int(b, IDS, 3, TIMES, 3, 7, AMOUNTS, 3, NULL, 0),
                CRM_RESULT_INVALID_ARGUMENT, "crm_time_unit");
    const uint8_t channels[] = {99};
    const uint8_t directions[] = {0};
    const crm_str kinds[] = {{"lead", 4}};
    const crm_str sids[] = {{"x", 1}};
    crm_interaction_columns ix = crm_interaction_columns_default();
    ix.customer_ids_int = IDS;
    ix.customer_ids_len = 1;
    ix.timestamps = TIMES;
    ix.timestamps_len = 1;
    ix.channels = channels;
    ix.channels_len = 1;
    ix.directions = directions;
    ix.directions_len = 1;
    ix.kinds = kinds;
    ix.kinds_len = 1;
    CHECK_FAILS(crm_base_builder_add_interactions(b, &ix), CRM_RESULT_INVALID_VALUE, "row 0, column `channel`");
    ix.customer_ids_str = sids;
    CHECK_FAILS(crm_base_builder_add_interactions(b, &ix), CRM_RESULT_INVALID_ARGUMENT, "not both");
    CHECK_OK(crm_customer_new(&c));
    CHECK_FAILS(crm_customer_add_permission(c, 12, true, CRM_NO_DATE), CRM_RESULT_INVALID_ARGUMENT, "crm_channel");
    CHECK_FAILS(crm_customer_set_text(c, 7, "x", 1), CRM_RESULT_INVALID_ARGUMENT, "crm_customer_field");
    crm_customer_free(c);

    /* Integer ids, then string ids: the kinds do not mix. */
    const crm_str str_ids[] = {{"a", 1}};
    CHECK_OK(crm_base_builder_add_transactions_int(b, IDS, 1, TIMES, 1, 0, AMOUNTS, 1, NULL, 0));
    CHECK_FAILS(crm_base_builder_add_transactions_str(b, str_ids, 1, TIMES, 1, 0, AMOUNTS, 1, NULL, 0),
                CRM_RESULT_ID_KIND_MISMATCH, "integer");
    crm_base_builder_free(b);
    const char *data = NULL;
    size_t len = 0;
    CHECK_FAILS(crm_base_customer_id_str(base, 0, &data, &len), CRM_RESULT_ID_KIND_MISMATCH,
                "crm_base_customer_id_int");

    /* Indices at or past the count. */
    CHECK_OK(crm_summary_new(base, 10, NULL, &s));
    CHECK_FAILS(crm_summary_row_at(s, 3, &row), CRM_RESULT_OUT_OF_RANGE, "index 3");
    CHECK_FAILS(crm_base_customer_id_int(base, 3, (int64_t *)&count), CRM_RESULT_OUT_OF_RANGE, "");
    CHECK_OK(crm_segments_new(base, 10, NULL, &seg));
    CHECK_FAILS(crm_segments_table_row(seg, 3, 0, &srow), CRM_RESULT_INVALID_ARGUMENT, "crm_segment_table");
    CHECK_FAILS(crm_segments_table_row(seg, CRM_SEGMENT_TABLE_PYRAMID, 6, &srow), CRM_RESULT_OUT_OF_RANGE, "");
    CHECK(crm_segments_table_len(seg, 3) == 0);
    CHECK_OK(crm_lifecycle_new(base, 10, NULL, &l));
    CHECK_FAILS(crm_lifecycle_stage_count(l, 8, &count), CRM_RESULT_INVALID_ARGUMENT, "crm_lifecycle_stage");

    /* Data the base does not have: margins, a customer table; a missing as-of date. */
    crm_segments_config cfg = crm_segments_config_default();
    cfg.measure = CRM_VALUE_MEASURE_MARGIN;
    crm_segments *none = NULL;
    CHECK_FAILS(crm_segments_new(base, 10, &cfg, &none), CRM_RESULT_MISSING_DATA, "margin");
    CHECK_FAILS(crm_base_customer_text(base, 0, CRM_CUSTOMER_FIELD_NAME, &data, &len), CRM_RESULT_MISSING_DATA,
                "no customer table");
    CHECK_FAILS(crm_summary_new(base, CRM_NO_DATE, NULL, &s), CRM_RESULT_INVALID_ARGUMENT, "as_of");
    int32_t d = 0;
    CHECK_FAILS(crm_date_from_ymd(2023, 2, 29, &d), CRM_RESULT_INVALID_ARGUMENT, "2023-02-29");
    CHECK_FAILS(crm_date_parse("yesterday", 9, &d), CRM_RESULT_INVALID_ARGUMENT, "yesterday");
    CHECK(d == 0);
    crm_lifecycle_free(l);
    crm_segments_free(seg);
    crm_summary_free(s);
    crm_base_free(base);
}

/* Issue #13 item 16: a refused build keeps the caller's data in the builder; adding what was
 * missing and building again works, and a refused builder frees cleanly (valgrind, ASan). */
static void a_refused_build_keeps_the_data(void) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    const int64_t table[] = {1, 2};
    const int64_t tx[] = {1, 5};
    const int64_t missing[] = {5};
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_customers_int(b, table, 2));
    CHECK_OK(crm_base_builder_add_transactions_int(b, tx, 2, TIMES, 2, 0, AMOUNTS, 2, NULL, 0));
    CHECK_FAILS(crm_base_builder_build(b, &base), CRM_RESULT_UNKNOWN_CUSTOMER, "unknown customer `5`");
    CHECK_FAILS(crm_base_builder_build(b, &base), CRM_RESULT_UNKNOWN_CUSTOMER, "unknown customer `5`");
    CHECK(base == NULL);
    CHECK_OK(crm_base_builder_add_customers_int(b, missing, 1));
    CHECK_OK(crm_base_builder_build(b, &base));
    CHECK(crm_base_customer_count(base) == 3);
    CHECK(crm_base_transaction_count(base) == 2);
    size_t index = 0;
    CHECK_OK(crm_base_index_of_int(base, 5, &index));
    CHECK(index == 2);
    crm_base_free(base);
    /* After a success the builder is empty: a second build is an empty base. */
    base = NULL;
    CHECK_OK(crm_base_builder_build(b, &base));
    CHECK(crm_base_customer_count(base) == 0);
    crm_base_free(base);
    crm_base_builder_free(b);

    /* Refused, then freed without a retry: nothing leaks. */
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_customers_int(b, table, 2));
    CHECK_OK(crm_base_builder_add_transactions_int(b, tx, 2, TIMES, 2, 0, AMOUNTS, 2, NULL, 0));
    CHECK_FAILS(crm_base_builder_build(b, &base), CRM_RESULT_UNKNOWN_CUSTOMER, "`5`");
    crm_base_builder_free(b);
}

static void messages_details_and_the_panic_boundary(void) {
    const crm_result codes[] = {CRM_RESULT_OK,           CRM_RESULT_NULL_PARAMETER,   CRM_RESULT_INVALID_UTF8,
                                CRM_RESULT_EMPTY_INPUT,   CRM_RESULT_LENGTH_MISMATCH,  CRM_RESULT_INVALID_ARGUMENT,
                                CRM_RESULT_OUT_OF_RANGE,  CRM_RESULT_INVALID_VALUE,    CRM_RESULT_UNKNOWN_CUSTOMER,
                                CRM_RESULT_DUPLICATE_CUSTOMER, CRM_RESULT_ID_KIND_MISMATCH, CRM_RESULT_INVALID_CONFIG,
                                CRM_RESULT_MISSING_DATA,  CRM_RESULT_CSV,              CRM_RESULT_IO,
                                CRM_RESULT_FILE_NOT_FOUND, CRM_RESULT_FIT,             CRM_RESULT_INTERNAL    ,
                                CRM_RESULT_PANIC};
    size_t i;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *m = crm_result_message(codes[i]);
        CHECK(m != NULL && strlen(m) > 0 && strcmp(m, "unknown result code") != 0);
    }
    CHECK(strcmp(crm_result_message(12345), "unknown result code") == 0);
    CHECK(CRM_RESULT_OK == 0 && CRM_RESULT_NULL_PARAMETER == 1 && CRM_RESULT_INVALID_VALUE == 10);
    CHECK(CRM_RESULT_FILE_NOT_FOUND == 18 && CRM_RESULT_FIT == 19 && CRM_RESULT_PANIC == 99);

    /* The detail stays until the next failure on this thread; success leaves it alone. */
    int32_t d = 0;
    CHECK_FAILS(crm_date_from_ymd(2023, 2, 30, &d), CRM_RESULT_INVALID_ARGUMENT, "2023-02-30");
    CHECK_OK(crm_date_from_ymd(2024, 2, 29, &d));
    CHECK(strstr(crm_last_error_detail(), "2023-02-30") != NULL);
    crm_last_error_clear();
    CHECK(strcmp(crm_last_error_detail(), "") == 0);

    /* A panic inside the library becomes a code and a detail, and the library goes on. */
    CHECK_FAILS(crm_test_panic(), CRM_RESULT_PANIC, "deliberate test panic");
    crm_base *base = small_base();
    CHECK(crm_base_customer_count(base) == 3);
    crm_base_free(base);
}

int main(void) {
    null_pointers();
    invalid_utf8();
    invalid_values_name_their_row();
    unknown_and_duplicate_customers();
    a_refused_build_keeps_the_data();
    bad_configs();
    mismatched_and_zero_lengths();
    codes_indices_kinds_and_missing_data();
    messages_details_and_the_panic_boundary();
    CHECK_DONE();
}
