/* Prediction intervals from the parameters' uncertainty (crm_*_parameter_covariance,
 * crm_*_prediction_interval, crm_*_clv_interval): standard errors against lifetimes
 * 0.11.3's on the CDNOW summary, intervals equal to crm-core's
 * (crm-core/tests/intervals.rs), determinism, and every range check. Run from tests/c. */
#include "check.h"

#define CDNOW 2357

static double x[CDNOW], tx[CDNOW], T[CDNOW], zbar[CDNOW];
static double rx[CDNOW], rzbar[CDNOW];

static size_t read_cdnow(void) {
    FILE *f = fopen("../data/cdnow_summary.csv", "r");
    char line[256];
    size_t n = 0;
    if (f == NULL) {
        fprintf(stderr, "cannot open ../data/cdnow_summary.csv (run from tests/c)\n");
        exit(1);
    }
    if (fgets(line, sizeof line, f) == NULL) exit(1);
    while (n < CDNOW && fgets(line, sizeof line, f) != NULL) {
        long id;
        if (sscanf(line, "%ld,%lf,%lf,%lf,%lf", &id, &x[n], &tx[n], &T[n], &zbar[n]) == 5) n++;
    }
    fclose(f);
    return n;
}

static int close_rel(double a, double b, double rel) {
    if (fabs(a - b) <= rel * fabs(b)) return 1;
    fprintf(stderr, "%.12g vs %.12g\n", a, b);
    return 0;
}

int main(void) {
    crm_rfm_columns data = crm_rfm_columns_default();
    crm_bgnbd_params bg;
    crm_gamma_gamma_params gg;
    size_t i, repeat = 0;
    CHECK(read_cdnow() == CDNOW);
    data.frequency = x;
    data.frequency_len = CDNOW;
    data.recency = tx;
    data.recency_len = CDNOW;
    data.t = T;
    data.t_len = CDNOW;
    CHECK_OK(crm_bgnbd_fit(&data, NULL, &bg, NULL));

    /* Standard errors: lifetimes' BetaGeoFitter().fit(...).standard_errors_. */
    const double lifetimes_se[4] = {0.012557320698, 0.378221457044, 0.185719071912, 0.705345343533};
    double cov[16], se[4];
    CHECK_OK(crm_bgnbd_parameter_covariance(&bg, &data, cov, 16, se, 4));
    for (i = 0; i < 4; i++) {
        CHECK(close_rel(se[i], lifetimes_se[i], 1e-3));
        CHECK(close_rel(sqrt(cov[i * 4 + i]), se[i], 1e-12));
    }
    CHECK(close_rel(cov[1], cov[4], 1e-12)); /* symmetric */
    CHECK_OK(crm_bgnbd_parameter_covariance(&bg, &data, cov, 16, NULL, 0));

    /* Gamma-Gamma on the repeat buyers: lifetimes' GammaGammaFitter standard errors. */
    for (i = 0; i < CDNOW; i++) {
        if (x[i] > 0) {
            rx[repeat] = x[i];
            rzbar[repeat] = zbar[i];
            repeat++;
        }
    }
    crm_rfm_columns spend = crm_rfm_columns_default();
    spend.frequency = rx;
    spend.frequency_len = repeat;
    spend.monetary_value = rzbar;
    spend.monetary_value_len = repeat;
    CHECK_OK(crm_gamma_gamma_fit(&spend, NULL, &gg, NULL));
    double gcov[9], gse[3];
    const double lifetimes_gse[3] = {1.189687048083, 0.290165617449, 4.159993928425};
    CHECK_OK(crm_gamma_gamma_parameter_covariance(&gg, &spend, gcov, 9, gse, 3));
    for (i = 0; i < 3; i++) CHECK(close_rel(gse[i], lifetimes_gse[i], 1e-3));

    /* 52-week expected purchases of three customers, 1000 normal draws, seed 42: the
     * numbers crm-core/tests/intervals.rs prints. */
    const double px[3] = {0.0, 2.0, 7.0}, ptx[3] = {0.0, 30.43, 35.0}, pT[3] = {38.86, 38.86, 38.86};
    crm_rfm_columns rows = crm_rfm_columns_default();
    rows.frequency = px;
    rows.frequency_len = 3;
    rows.recency = ptx;
    rows.recency_len = 3;
    rows.t = pT;
    rows.t_len = 3;
    crm_interval_options o = crm_interval_options_default();
    CHECK(o.method == CRM_INTERVAL_METHOD_NORMAL && o.draws == 500 && o.levels == NULL);
    o.draws = 1000;
    o.seed = 42;
    double point[3], bounds[6], again[6];
    CHECK_OK(crm_bgnbd_prediction_interval(&bg, &data, CRM_PREDICTION_EXPECTED_PURCHASES, 52.0, &rows, &o, point, 3,
                                           bounds, 6));
    const double expect_point[3] = {0.2516657120287551, 1.5585837938063118, 5.520662943752939};
    const double expect_bounds[6] = {0.23292767922078603, 1.461667987769271, 4.895578174269583,
                                     0.2714077809257806,  1.6684961577002535, 6.168407787999107};
    for (i = 0; i < 3; i++) CHECK(close_rel(point[i], expect_point[i], 1e-9));
    for (i = 0; i < 6; i++) CHECK(close_rel(bounds[i], expect_bounds[i], 1e-9));
    CHECK_OK(crm_bgnbd_prediction_interval(&bg, &data, CRM_PREDICTION_EXPECTED_PURCHASES, 52.0, &rows, &o, NULL, 0,
                                           again, 6));
    CHECK(memcmp(bounds, again, sizeof bounds) == 0); /* seeded: the same bits */
    /* The delta method (no draws). */
    o.method = CRM_INTERVAL_METHOD_DELTA;
    CHECK_OK(crm_bgnbd_prediction_interval(&bg, &data, CRM_PREDICTION_EXPECTED_PURCHASES, 52.0, &rows, &o, point, 3,
                                           bounds, 6));
    const double expect_delta[6] = {0.23310189788924784, 1.4559262506466237, 4.921027971355241,
                                    0.2717079147979849,  1.668479733253521,  6.193364377511026};
    for (i = 0; i < 6; i++) CHECK(close_rel(bounds[i], expect_delta[i], 1e-9));
    /* A penalised fit's intervals use its objective's Hessian (penalty included, as
     * lifetimes' variance_matrix_): the numbers tests/python/test_intervals.py checks
     * against lifetimes' penalised Hessian. */
    crm_fit_options penalized = crm_fit_options_default();
    crm_bgnbd_params pbg;
    penalized.penalizer = 0.1;
    CHECK_OK(crm_bgnbd_fit(&data, &penalized, &pbg, NULL));
    o.fit = &penalized;
    CHECK_OK(crm_bgnbd_prediction_interval(&pbg, &data, CRM_PREDICTION_EXPECTED_PURCHASES, 52.0, &rows, &o, point, 3,
                                           bounds, 6));
    const double expect_penalized[6] = {0.1707116705644178,  2.069210009687136,  7.72409858132084,
                                        0.19590868403772405, 2.2326092727044298, 8.046145790892204};
    for (i = 0; i < 6; i++) CHECK(close_rel(bounds[i], expect_penalized[i], 1e-9));
    o.fit = NULL;
    /* Three quantiles of P(alive): ordered, x = 0 certainly alive. */
    const double levels[3] = {0.1, 0.5, 0.9};
    double alive[9];
    o.method = CRM_INTERVAL_METHOD_NORMAL;
    o.draws = 200;
    o.levels = levels;
    o.levels_len = 3;
    CHECK_OK(crm_bgnbd_prediction_interval(&bg, &data, CRM_PREDICTION_PROBABILITY_ALIVE, 0.0, &rows, &o, point, 3,
                                           alive, 9));
    CHECK(alive[0] == 1.0 && alive[6] == 1.0);
    for (i = 1; i < 3; i++) CHECK(alive[i] <= point[i] && point[i] <= alive[6 + i] && alive[i] <= alive[3 + i]);

    /* CLV over 12 months with the Gamma-Gamma spend: the point equals the plain CLV. */
    const double pm[3] = {0.0, 22.35, 40.0};
    double clv[3], clv_point[3], clv_bounds[9];
    rows.monetary_value = pm;
    rows.monetary_value_len = 3;
    CHECK_OK(crm_bgnbd_customer_lifetime_value(&bg, &gg, &rows, 12, 0.01, 4.345, clv, 3));
    CHECK_OK(crm_bgnbd_clv_interval(&bg, &data, &gg, &spend, &rows, 12, 0.01, 4.345, &o, clv_point, 3, clv_bounds, 9));
    for (i = 0; i < 3; i++) {
        CHECK(close_rel(clv_point[i], clv[i], 1e-9));
        CHECK(clv_bounds[i] < clv_point[i] && clv_point[i] < clv_bounds[6 + i]);
    }
    /* Each model with its own penalty (BG/NBD 0.1 as above, Gamma-Gamma 0.01): the delta
     * numbers tests/python/test_intervals.py checks against lifetimes' Hessians. */
    {
        crm_fit_options spend_penalized = crm_fit_options_default();
        crm_gamma_gamma_params pgg;
        const double qx[3] = {1.0, 2.0, 7.0}, qtx[3] = {10.0, 30.43, 35.0}, qm[3] = {15.0, 22.35, 40.0};
        const double expect_clv[6] = {7.574324785320463, 47.38447809436178,  295.1081337104457,
                                      9.400829345201192, 51.170782694484316, 307.37367465224276};
        double q_point[3], q_bounds[6];
        spend_penalized.penalizer = 0.01;
        CHECK_OK(crm_gamma_gamma_fit(&spend, &spend_penalized, &pgg, NULL));
        rows.frequency = qx;
        rows.recency = qtx;
        rows.monetary_value = qm;
        o.method = CRM_INTERVAL_METHOD_DELTA;
        o.levels = NULL;
        o.levels_len = 0;
        o.fit = &penalized;
        o.spend_fit = &spend_penalized;
        CHECK_OK(crm_bgnbd_clv_interval(&pbg, &data, &pgg, &spend, &rows, 12, 0.01, 4.345, &o, q_point, 3, q_bounds,
                                        6));
        for (i = 0; i < 6; i++) CHECK(close_rel(q_bounds[i], expect_clv[i], 1e-9));
        o.fit = NULL;
        o.spend_fit = NULL;
        rows.frequency = px;
        rows.recency = ptx;
        rows.monetary_value = pm;
    }

    /* The bootstrap (20 refits, seeded) and sBG survival. */
    o.method = CRM_INTERVAL_METHOD_BOOTSTRAP;
    o.draws = 20;
    o.levels = NULL;
    o.levels_len = 0;
    const double cohort[8] = {1000, 631, 468, 382, 326, 289, 262, 241}, periods[2] = {1.0, 10.0};
    crm_sbg_params sbg;
    double sp[2], sb[4];
    CHECK_OK(crm_sbg_fit(cohort, 8, NULL, &sbg, NULL));
    CHECK_OK(crm_sbg_survival_interval(&sbg, cohort, 8, periods, 2, &o, sp, 2, sb, 4));
    for (i = 0; i < 2; i++) CHECK(sb[i] < sp[i] && sp[i] < sb[2 + i]);

    /* BG/BB: P(alive m opportunities after the n observed), lifetimes' m_periods_in_future. */
    {
        const double bx[6] = {0, 1, 2, 3, 5, 6}, btx[6] = {0, 1, 4, 5, 6, 6}, bn[6] = {6, 6, 6, 6, 6, 6};
        const double bw[6] = {3464, 1823, 1000, 700, 600, 1203};
        const double qx[2] = {6, 2}, qtx[2] = {6, 4}, qn[2] = {6, 6};
        crm_rfm_columns bdata = crm_rfm_columns_default(), q = crm_rfm_columns_default();
        crm_bgbb_params bb;
        double bpoint[2], bbounds[4], want[2];
        bdata.frequency = bx;
        bdata.frequency_len = 6;
        bdata.recency = btx;
        bdata.recency_len = 6;
        bdata.t = bn;
        bdata.t_len = 6;
        bdata.weights = bw;
        bdata.weights_len = 6;
        q.frequency = qx;
        q.frequency_len = 2;
        q.recency = qtx;
        q.recency_len = 2;
        q.t = qn;
        q.t_len = 2;
        CHECK_OK(crm_bgbb_fit(&bdata, NULL, &bb, NULL));
        o = crm_interval_options_default();
        o.method = CRM_INTERVAL_METHOD_DELTA;
        /* m = 0: a donor of all six years was alive through them, certainly. */
        CHECK_OK(crm_bgbb_prediction_interval(&bb, &bdata, CRM_PREDICTION_PROBABILITY_ALIVE_AFTER, 0.0, &q, &o, bpoint,
                                              2, bbounds, 4));
        CHECK(bpoint[0] == 1.0 && bbounds[0] == 1.0 && bbounds[2] == 1.0);
        CHECK_OK(crm_bgbb_prediction_interval(&bb, &bdata, CRM_PREDICTION_PROBABILITY_ALIVE_AFTER, 2.0, &q, &o, bpoint,
                                              2, bbounds, 4));
        CHECK_OK(crm_bgbb_probability_alive_after(&bb, 2.0, &q, want, 2));
        for (i = 0; i < 2; i++) {
            CHECK(close_rel(bpoint[i], want[i], 1e-12));
            CHECK(bbounds[i] < bpoint[i] && bpoint[i] < bbounds[2 + i]);
        }
        CHECK_FAILS(crm_bgnbd_prediction_interval(&bg, &data, CRM_PREDICTION_PROBABILITY_ALIVE_AFTER, 1.0, &rows, &o,
                                                  point, 3, bounds, 6),
                    CRM_RESULT_INVALID_CONFIG, "prediction");
        CHECK_FAILS(crm_bgbb_prediction_interval(&bb, &bdata, CRM_PREDICTION_PROBABILITY_ALIVE_AFTER, -1.0, &q, &o,
                                                 bpoint, 2, bbounds, 4),
                    CRM_RESULT_INVALID_CONFIG, "periods");
    }

    /* Range checks, each naming what was wrong. */
    o = crm_interval_options_default();
    o.draws = 1;
    CHECK_FAILS(crm_bgnbd_prediction_interval(&bg, &data, 0, 52.0, &rows, &o, point, 3, bounds, 6),
                CRM_RESULT_INVALID_ARGUMENT, "draws");
    o = crm_interval_options_default();
    const double bad_levels[2] = {0.05, 1.0};
    o.levels = bad_levels;
    o.levels_len = 2;
    CHECK_FAILS(crm_bgnbd_prediction_interval(&bg, &data, 0, 52.0, &rows, &o, point, 3, bounds, 6),
                CRM_RESULT_INVALID_ARGUMENT, "levels");
    o = crm_interval_options_default();
    o.method = 7;
    CHECK_FAILS(crm_bgnbd_prediction_interval(&bg, &data, 0, 52.0, &rows, &o, point, 3, bounds, 6),
                CRM_RESULT_INVALID_ARGUMENT, "crm_interval_method");
    CHECK_FAILS(crm_bgnbd_prediction_interval(&bg, &data, 9, 52.0, &rows, NULL, point, 3, bounds, 6),
                CRM_RESULT_INVALID_ARGUMENT, "crm_prediction");
    CHECK_FAILS(crm_bgnbd_prediction_interval(&bg, &data, 0, -1.0, &rows, NULL, point, 3, bounds, 6),
                CRM_RESULT_INVALID_CONFIG, "horizon");
    CHECK_FAILS(crm_bgnbd_prediction_interval(&bg, &data, 0, 52.0, &rows, NULL, point, 3, bounds, 5),
                CRM_RESULT_LENGTH_MISMATCH, "out_bounds");
    CHECK_FAILS(crm_bgnbd_prediction_interval(&bg, NULL, 0, 52.0, &rows, NULL, point, 3, bounds, 6),
                CRM_RESULT_NULL_PARAMETER, "fit_data");
    const double bad_tx[3] = {0.0, 40.0, 35.0};
    rows.recency = bad_tx;
    CHECK_FAILS(crm_bgnbd_prediction_interval(&bg, &data, 0, 52.0, &rows, NULL, point, 3, bounds, 6),
                CRM_RESULT_INVALID_VALUE, "recency");
    CHECK_FAILS(crm_bgnbd_parameter_covariance(&bg, &data, cov, 15, se, 4), CRM_RESULT_LENGTH_MISMATCH,
                "out_covariance");
    CHECK_DONE();
}
