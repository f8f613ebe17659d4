/* A C host distributing a CLV fit: six customers' model summaries over two tasks, the
 * partials merged through their bytes, the models fitted on the merged distinct rows.
 * Worked by hand: task A has (x, t_x, T) = (2, 30, 40), (0, 0, 38), (1, 5, 39) with mean
 * spends 10, 0, 4; task B (0, 0, 38), (3, 35, 40), (2, 30, 40) with 0, 7.5, 10. The merge
 * holds four distinct rows (0, 0, 38) x2, (1, 5, 39) x1, (2, 30, 40) x2, (3, 35, 40) x1 and
 * three spend rows (1, 4) x1, (2, 10) x2, (3, 7.5) x1; the fits on them are the fits on the
 * six customers' rows, bit for bit. Then BG/BB as a cluster fits it: the 11,104 donors of
 * Fader, Hardie & Shang (2010), one row per donor, dealt over three tasks; the merged rows
 * are the paper's 22 distinct histories with their counts, and the fit on them is the fit
 * on the donors' rows, with the published alpha, beta, gamma, delta = 1.204, 0.750, 0.657,
 * 2.783. */
#include <math.h>
#include <stdlib.h>
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

/* The donations (x, t_x of 6 opportunities, donors), from the paper's table. */
static const double DONATIONS[22][3] = {
    {0, 0, 3464}, {1, 1, 1091}, {1, 2, 277}, {1, 3, 129}, {1, 4, 78},  {1, 5, 119}, {1, 6, 129}, {2, 2, 613},
    {2, 3, 255},  {2, 4, 155},  {2, 5, 173}, {2, 6, 234}, {3, 3, 322}, {3, 4, 181}, {3, 5, 225}, {3, 6, 357},
    {4, 4, 240},  {4, 5, 284},  {4, 6, 512}, {5, 5, 335}, {5, 6, 728}, {6, 6, 1203},
};

static void bg_bb_over_three_tasks_is_the_single_machine_fit(void) {
    enum { DONORS = 11104, TASKS = 3 };
    double *x = malloc(sizeof(double) * DONORS * 4), *tx = x + DONORS, *n = x + 2 * DONORS, *m = x + 3 * DONORS;
    double *task_x[TASKS], *task_tx[TASKS], *task_n[TASKS];
    size_t len[TASKS] = {0, 0, 0}, d = 0, i, k;
    crm_model_partial *partial[TASKS] = {NULL, NULL, NULL};
    crm_rfm_columns rows, whole;
    crm_bgbb_params single, distributed;
    crm_fit_summary fs;
    CHECK(x != NULL);
    for (i = 0; i < 22; i++) {
        for (k = 0; k < (size_t)DONATIONS[i][2]; k++, d++) {
            x[d] = DONATIONS[i][0], tx[d] = DONATIONS[i][1], n[d] = 6, m[d] = 0;
        }
    }
    CHECK(d == DONORS);
    /* Donor d goes to task d % 3 (a hash partition would do the same: any split works). */
    for (k = 0; k < TASKS; k++) {
        task_x[k] = malloc(sizeof(double) * DONORS * 3);
        CHECK(task_x[k] != NULL);
        task_tx[k] = task_x[k] + DONORS, task_n[k] = task_x[k] + 2 * DONORS;
    }
    for (d = 0; d < DONORS; d++) {
        k = d % TASKS;
        task_x[k][len[k]] = x[d], task_tx[k][len[k]] = tx[d], task_n[k][len[k]] = n[d];
        len[k]++;
    }
    for (k = 0; k < TASKS; k++) {
        crm_rfm_columns c = summary(task_x[k], task_tx[k], task_n[k], m, len[k]);
        CHECK_OK(crm_model_partial_new(&c, &partial[k]));
        if (k > 0) {
            CHECK_OK(crm_model_partial_merge(partial[0], partial[k]));
        }
    }
    CHECK(crm_model_partial_customers(partial[0]) == (double)DONORS);
    CHECK_OK(crm_model_partial_purchase_rows(partial[0], &rows));
    CHECK(rows.frequency_len == 22);
    for (i = 0; i < 22; i++) {
        CHECK(rows.frequency[i] == DONATIONS[i][0] && rows.recency[i] == DONATIONS[i][1]);
        CHECK(rows.t[i] == 6 && rows.weights[i] == DONATIONS[i][2]);
    }
    whole = summary(x, tx, n, m, DONORS);
    CHECK_OK(crm_bgbb_fit(&whole, NULL, &single, &fs));
    CHECK_OK(crm_bgbb_fit(&rows, NULL, &distributed, &fs));
    CHECK(memcmp(&single, &distributed, sizeof single) == 0);
    CHECK(fabs(distributed.alpha - 1.204) < 1e-3 && fabs(distributed.beta - 0.750) < 1e-3);
    CHECK(fabs(distributed.gamma - 0.657) < 1e-3 && fabs(distributed.delta - 2.783) < 1e-3);
    for (k = 0; k < TASKS; k++) {
        crm_model_partial_free(partial[k]);
        free(task_x[k]);
    }
    free(x);
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
    bg_bb_over_three_tasks_is_the_single_machine_fit();
    CHECK_DONE();
}
