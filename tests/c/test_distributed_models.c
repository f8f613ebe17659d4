/* A C host distributing a CLV fit: six customers' model summaries over two tasks, the
 * partials merged through their bytes, the models fitted on the merged distinct rows.
 * Worked by hand: task A has (x, t_x, T) = (2, 30, 40), (0, 0, 38), (1, 5, 39) with mean
 * spends 10, 0, 4; task B (0, 0, 38), (3, 35, 40), (2, 30, 40) with 0, 7.5, 10. The merge
 * holds four distinct rows (0, 0, 38) x2, (1, 5, 39) x1, (2, 30, 40) x2, (3, 35, 40) x1 and
 * three spend rows (1, 4) x1, (2, 10) x2, (3, 7.5) x1; the fits on them are the fits on the
 * six customers' rows, bit for bit. */
#include <string.h>

#include "check.h"

static crm_rfm_columns summary(const double *x, const double *tx, const double *t, const double *m, size_t n) {
    crm_rfm_columns c = crm_rfm_columns_default();
    c.frequency = x;
    c.frequency_len = n;
    c.recency = tx;
    c.recency_len = n;
    c.t = t;
    c.t_len = n;
    c.monetary_value = m;
    c.monetary_value_len = n;
    return c;
}

int main(void) {
    const double ax[] = {2, 0, 1}, atx[] = {30, 0, 5}, at[] = {40, 38, 39}, am[] = {10, 0, 4};
    const double bx[] = {0, 3, 2}, btx[] = {0, 35, 30}, bt[] = {38, 40, 40}, bm[] = {0, 7.5, 10};
    const double all_x[] = {2, 0, 1, 0, 3, 2}, all_tx[] = {30, 0, 5, 0, 35, 30}, all_t[] = {40, 38, 39, 38, 40, 40};
    const double all_m[] = {10, 0, 4, 0, 7.5, 10};
    const double repeat_x[] = {2, 1, 3, 2}, repeat_m[] = {10, 4, 7.5, 10};
    const double want_x[] = {0, 1, 2, 3}, want_tx[] = {0, 5, 30, 35}, want_t[] = {38, 39, 40, 40}, want_w[] = {2, 1, 2, 1};
    const double want_sx[] = {1, 2, 3}, want_sm[] = {4, 10, 7.5}, want_sw[] = {1, 2, 1};
    crm_model_partial *a = NULL, *b = NULL, *wire = NULL;
    crm_rfm_columns ca = summary(ax, atx, at, am, 3), cb = summary(bx, btx, bt, bm, 3);
    crm_rfm_columns whole = summary(all_x, all_tx, all_t, all_m, 6), rows, spend;
    crm_rfm_columns repeat = crm_rfm_columns_default();
    crm_fit_options options = crm_fit_options_default();
    crm_bgnbd_params single, distributed;
    crm_gamma_gamma_params single_gg, distributed_gg;
    crm_fit_summary fs;
    const uint8_t *bytes = NULL;
    size_t len = 0, i;

    CHECK_OK(crm_model_partial_new(&ca, &a));
    CHECK_OK(crm_model_partial_new(&cb, &b));
    CHECK_OK(crm_model_partial_bytes(b, &bytes, &len));
    CHECK_OK(crm_model_partial_from_bytes(bytes, len, &wire));
    CHECK_OK(crm_model_partial_merge(a, wire));
    CHECK(crm_model_partial_customers(a) == 6.0);

    CHECK_OK(crm_model_partial_purchase_rows(a, &rows));
    CHECK(rows.frequency_len == 4 && rows.weights_len == 4 && rows.monetary_value == NULL);
    for (i = 0; i < 4; i++) {
        CHECK(rows.frequency[i] == want_x[i] && rows.recency[i] == want_tx[i]);
        CHECK(rows.t[i] == want_t[i] && rows.weights[i] == want_w[i]);
    }
    CHECK_OK(crm_model_partial_spend_rows(a, &spend));
    CHECK(spend.frequency_len == 3 && spend.recency == NULL && spend.t == NULL);
    for (i = 0; i < 3; i++) {
        CHECK(spend.frequency[i] == want_sx[i] && spend.monetary_value[i] == want_sm[i] && spend.weights[i] == want_sw[i]);
    }

    /* The fits on the merged rows are the fits on every customer's row. */
    CHECK_OK(crm_bgnbd_fit(&whole, &options, &single, &fs));
    CHECK_OK(crm_bgnbd_fit(&rows, &options, &distributed, &fs));
    CHECK(memcmp(&single, &distributed, sizeof single) == 0);
    repeat.frequency = repeat_x;
    repeat.frequency_len = 4;
    repeat.monetary_value = repeat_m;
    repeat.monetary_value_len = 4;
    CHECK_OK(crm_gamma_gamma_fit(&repeat, &options, &single_gg, &fs));
    CHECK_OK(crm_gamma_gamma_fit(&spend, &options, &distributed_gg, &fs));
    CHECK(memcmp(&single_gg, &distributed_gg, sizeof single_gg) == 0);

    /* Bad summaries and foreign bytes are errors naming the place. */
    {
        const double bad_tx[] = {30, 0, 45};
        crm_rfm_columns bad = summary(ax, bad_tx, at, am, 3);
        crm_model_partial *p = NULL;
        CHECK_FAILS(crm_model_partial_new(&bad, &p), CRM_RESULT_INVALID_VALUE, "row 2, column `recency`");
        CHECK_FAILS(crm_model_partial_new(NULL, &p), CRM_RESULT_NULL_PARAMETER, "data");
        CHECK_FAILS(crm_model_partial_from_bytes(bytes, len - 1, &p), CRM_RESULT_INVALID_CONFIG, "model partial");
        CHECK(p == NULL);
    }
    CHECK(crm_model_partial_customers(NULL) == 0.0);
    crm_model_partial_free(a);
    crm_model_partial_free(b);
    crm_model_partial_free(wire);
    crm_model_partial_free(NULL);
    CHECK_DONE();
}
