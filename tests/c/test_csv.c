/* CSV import into a builder: a transactions file with its own column names, delimiter and
 * date format; a file with bad values refused (every problem named) or loaded without its
 * bad rows; customers and interactions files. Fixtures in tests/data/c_*.csv; the tests run
 * in tests/c. */
#include "check.h"

#define S(lit) lit, sizeof(lit) - 1

static void own_columns_delimiter_and_date_format(void) {
    crm_transaction_csv spec = crm_transaction_csv_default();
    CHECK(spec.customer_column.len == 11 && memcmp(spec.customer_column.data, "customer_id", 11) == 0);
    CHECK(spec.options.delimiter == 0 && spec.options.on_error == CRM_ON_ERROR_FAIL);
    spec.customer_column = str("kund");
    spec.date_column = str("datum");
    spec.amount_column = str("belopp");
    spec.margin_column = str("marginal");
    spec.options.delimiter = ';';
    spec.options.date_format = str("%d.%m.%Y");
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    crm_csv_report report;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_csv(b, S("../data/c_tx_semicolon.csv"), &spec, &report));
    CHECK(report.rows_read == 3 && report.rows_loaded == 3 && report.rows_rejected == 0);
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);

    /* A1 (index 0): 100.5 on 2024-01-05 and 200 on 2024-03-15, margins 30 + 60. */
    CHECK(crm_base_customer_count(base) == 2);
    const char *id = NULL;
    size_t len = 0;
    CHECK_OK(crm_base_customer_id_str(base, 0, &id, &len));
    CHECK(len == 2 && memcmp(id, "A1", 2) == 0);
    crm_summary *s = NULL;
    crm_summary_row row;
    CHECK_OK(crm_summary_new(base, day(2024, 12, 31), NULL, &s));
    CHECK_OK(crm_summary_row_at(s, 0, &row));
    CHECK(row.revenue == 300.5 && row.margin == 90.0 && row.purchases == 2);
    CHECK(row.first_purchase == day(2024, 1, 5) && row.last_purchase == day(2024, 3, 15));
    CHECK_OK(crm_summary_row_at(s, 1, &row));
    CHECK(row.revenue == -5.5 && row.purchases == 0);
    crm_summary_free(s);
    crm_base_free(base);

    /* A column the file does not have. */
    spec.amount_column = str("betrag");
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_FAILS(crm_base_builder_add_transactions_csv(b, S("../data/c_tx_semicolon.csv"), &spec, NULL),
                CRM_RESULT_CSV, "no column `betrag`");
    crm_base_builder_free(b);
}

static void bad_values_fail_or_are_skipped(void) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    crm_csv_report report = {0};
    CHECK_OK(crm_base_builder_new(&b));
    /* Refused whole, with every problem: line 3 (a bad date) and line 4 (a bad amount). */
    CHECK_FAILS(crm_base_builder_add_transactions_csv(b, S("../data/c_tx_bad.csv"), NULL, &report), CRM_RESULT_CSV,
                "2 bad value(s)");
    CHECK(strstr(crm_last_error_detail(), "line 3, column `date`") != NULL);
    CHECK(strstr(crm_last_error_detail(), "line 4, column `amount`: `abc` is not a number") != NULL);
    CHECK(report.rows_read == 0); /* out-parameters are written only on success */

    /* Skipping the bad rows loads customers 1 and 4. */
    crm_transaction_csv spec = crm_transaction_csv_default();
    spec.options.on_error = CRM_ON_ERROR_SKIP;
    CHECK_OK(crm_base_builder_add_transactions_csv(b, S("../data/c_tx_bad.csv"), &spec, &report));
    CHECK(report.rows_read == 4 && report.rows_loaded == 2 && report.rows_rejected == 2 && report.problems_total == 2);
    CHECK_OK(crm_base_builder_build(b, &base));
    int64_t ids[2];
    CHECK_OK(crm_base_copy_customer_ids(base, ids, 2));
    CHECK(ids[0] == 1 && ids[1] == 4);
    crm_base_free(base);

    CHECK_FAILS(crm_base_builder_add_transactions_csv(b, S("../data/c_no_such_file.csv"), NULL, NULL),
                CRM_RESULT_FILE_NOT_FOUND, "c_no_such_file.csv");
    crm_base_builder_free(b);
}

static void customers_and_interactions_files(void) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    crm_csv_report report;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_customers_csv(b, S("../data/c_customers.csv"), NULL, &report));
    CHECK(report.rows_loaded == 2);
    crm_csv_options options = crm_csv_options_default();
    CHECK_OK(crm_base_builder_add_interactions_csv(b, S("../data/c_interactions.csv"), &options, &report));
    CHECK(report.rows_loaded == 2);
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);

    CHECK(crm_base_customer_count(base) == 2 && crm_base_interaction_count(base) == 2);
    const char *name = NULL;
    size_t len = 0;
    CHECK_OK(crm_base_customer_text(base, 1, CRM_CUSTOMER_FIELD_NAME, &name, &len));
    CHECK(len == 10 && memcmp(name, "Berg & Son", 10) == 0);
    CHECK_OK(crm_base_customer_text(base, 1, CRM_CUSTOMER_FIELD_EMAIL, &name, &len));
    CHECK(name == NULL && len == 0);
    int32_t acquired = 0;
    CHECK_OK(crm_base_customer_acquisition(base, 0, &acquired, NULL));
    CHECK(acquired == day(2023, 5, 1));
    bool ok = false;
    CHECK_OK(crm_base_customer_permits(base, 0, CRM_CHANNEL_EMAIL, &ok));
    CHECK(ok);
    CHECK_OK(crm_base_customer_permits(base, 0, CRM_CHANNEL_LETTER, &ok)); /* a date: granted then */
    CHECK(ok);
    CHECK_OK(crm_base_customer_permits(base, 1, CRM_CHANNEL_EMAIL, &ok));
    CHECK(!ok);
    crm_attribute a;
    CHECK_OK(crm_base_customer_attribute(base, 0, S("employees"), &a));
    CHECK(a.kind == CRM_ATTRIBUTE_KIND_TEXT && a.text_len == 3 && memcmp(a.text, "120", 3) == 0);

    /* No purchases: both are prospects, and the complaint's 35 + the campaign's 1.5 are the
     * prospects' cost to serve. */
    crm_segments *s = NULL;
    crm_segment_row prospects;
    CHECK_OK(crm_segments_new(base, day(2024, 12, 31), NULL, &s));
    CHECK_OK(crm_segments_table_row(s, CRM_SEGMENT_TABLE_PYRAMID, 5, &prospects));
    CHECK(strcmp(prospects.segment, "prospect") == 0);
    CHECK(prospects.customers == 2 && prospects.cost_to_serve == 36.5);
    crm_segments_free(s);
    crm_base_free(base);
}

int main(void) {
    own_columns_delimiter_and_date_format();
    bad_values_fail_or_are_skipped();
    customers_and_interactions_files();
    CHECK_DONE();
}
