/* The "Online Retail" export (tests/data/exports/online_retail.csv; figures worked in
 * tests/data/README.md): quantity x unit price, invoices, C cancellations, blank ids,
 * Latin-1 text, CRLF, month-first dates found from the file. */
#include "check.h"

#define S(lit) lit, sizeof(lit) - 1


static void online_retail(void) {
    crm_transaction_csv spec = crm_transaction_csv_default();
    spec.customer_column = str("CustomerID");
    spec.date_column = str("InvoiceDate");
    spec.quantity_column = str("Quantity");
    spec.unit_price_column = str("UnitPrice");
    spec.order_column = str("InvoiceNo");
    spec.product_column = str("StockCode");
    spec.cancellation_prefix = str("C");
    spec.options.encoding = 1; /* Latin-1 */
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    crm_csv_report report;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_csv(b, S("../data/exports/online_retail.csv"), &spec, &report));
    CHECK(report.rows_read == 14 && report.rows_loaded == 11 && report.rows_rejected == 0);
    CHECK(report.anonymous_rows == 3 && fabs((report.anonymous_revenue) - 36.55) < 1e-9);
    CHECK(report.return_rows == 2 && report.return_orders == 2 && fabs((report.return_value) - 7.09) < 1e-9);
    CHECK(report.anonymous_return_rows == 1);
    CHECK(report.has_last_sale == 1 && report.last_sale_day == day(2011, 1, 5));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    /* Customers in id order: 12583, 13047, 17850. */
    crm_summary *s = NULL;
    crm_summary_row row;
    CHECK_OK(crm_summary_new(base, day(2011, 1, 31), NULL, &s));
    CHECK_OK(crm_summary_row_at(s, 0, &row));
    CHECK(row.purchases == 1 && fabs((row.revenue) - 44.21) < 1e-9);
    CHECK_OK(crm_summary_row_at(s, 1, &row));
    CHECK(row.purchases == 2 && fabs((row.revenue) - 76.13) < 1e-9);
    CHECK_OK(crm_summary_row_at(s, 2, &row));
    CHECK(row.purchases == 2 && fabs((row.revenue) - 65.04) < 1e-9);
    crm_summary_free(s);
    crm_base_free(base);
}

static void ambiguous_dates(void) {
    crm_base_builder *b = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_FAILS(crm_base_builder_add_transactions_csv(b, S("../data/exports/ambiguous_dates.csv"), NULL, NULL),
                CRM_RESULT_CSV, "day_first");
    crm_base_builder_free(b);
    crm_transaction_csv spec = crm_transaction_csv_default();
    spec.options.day_first = 1;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_csv(b, S("../data/exports/ambiguous_dates.csv"), &spec, NULL));
    crm_base_builder_free(b);
}

int main(void) {
    online_retail();
    ambiguous_dates();
    CHECK_DONE();
}
