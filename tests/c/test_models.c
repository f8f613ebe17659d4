/* The predictive CLV models against the published values, as crm-core/tests/models.rs:
 * BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma on the CDNOW summary, BG/BB on the donations,
 * sBG on Fader & Hardie's cohorts; predictions, CLV month by month, and the model summary of
 * a base. Run from tests/c (the data are tests/data/cdnow_summary.csv and donations.csv). */
#include "fixture.h"

#define CDNOW 2357

/* Columns of the CDNOW summary (weeks): x, t_x, T, zbar. */
static double x[CDNOW], tx[CDNOW], T[CDNOW], zbar[CDNOW];

static size_t read_cdnow(void) {
    FILE *f = fopen("../data/cdnow_summary.csv", "r");
    char line[256];
    size_t n = 0;
    if (f == NULL) {
        fprintf(stderr, "cannot open ../data/cdnow_summary.csv (run from tests/c)\n");
        exit(1);
    }
    if (fgets(line, sizeof line, f) == NULL) exit(1); /* header */
    while (n < CDNOW && fgets(line, sizeof line, f) != NULL) {
        long id;
        if (sscanf(line, "%ld,%lf,%lf,%lf,%lf", &id, &x[n], &tx[n], &T[n], &zbar[n]) == 5) n++;
    }
    fclose(f);
    return n;
}

static crm_rfm_columns cdnow_columns(void) {
    crm_rfm_columns c = crm_rfm_columns_default();
    c.frequency = x;
    c.frequency_len = CDNOW;
    c.recency = tx;
    c.recency_len = CDNOW;
    c.t = T;
    c.t_len = CDNOW;
    c.monetary_value = zbar;
    c.monetary_value_len = CDNOW;
    return c;
}

static int formats(const char *format, double a, double b, double c, double d, const char *expected) {
    char text[64];
    snprintf(text, sizeof text, format, a, b, c, d);
    if (strcmp(text, expected) != 0) fprintf(stderr, "got \"%s\", expected \"%s\"\n", text, expected);
    return strcmp(text, expected) == 0;
}

static void bg_nbd_on_cdnow_matches_fader_hardie_lee_2005(crm_bgnbd_params *out) {
    const crm_rfm_columns data = cdnow_columns();
    crm_bgnbd_params m;
    crm_fit_summary s;
    size_t i;
    CHECK_OK(crm_bgnbd_fit(&data, NULL, &m, &s));
    /* Published: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4. */
    CHECK(formats("%.3f %.3f %.3f %.3f", m.r, m.alpha, m.a, m.b, "0.243 4.414 0.793 2.426"));
    CHECK(formats("%.1f", s.log_likelihood, 0, 0, 0, "-9582.4"));
    CHECK(s.converged && s.param_count == 4 && s.customers == 2357.0 && s.distinct_rows < 2357);
    CHECK(s.params[0] == m.r && s.params[3] == m.b);
    for (i = 0; i < 4; i++) CHECK(isfinite(s.std_errors[i]) && s.std_errors[i] > 0.0);
    /* A customer with x = 2, t_x = 30.43, T = 38.86 buys 1.226 times in the next 39 weeks. */
    const double one_x = 2.0, one_tx = 30.43, one_T = 38.86;
    crm_rfm_columns one = crm_rfm_columns_default();
    double e = 0, alive = 0;
    one.frequency = &one_x;
    one.frequency_len = 1;
    one.recency = &one_tx;
    one.recency_len = 1;
    one.t = &one_T;
    one.t_len = 1;
    CHECK_OK(crm_bgnbd_conditional_expected_purchases(&m, 39.0, &one, &e, 1));
    CHECK(formats("%.3f", e, 0, 0, 0, "1.226"));
    /* Expected purchases of a new customer grow with time; P(X(t) = n) sums to 1. */
    const double times[2] = {10.0, 39.0};
    double grow[2], total = 0;
    CHECK_OK(crm_bgnbd_expected_purchases(&m, times, 2, grow, 2));
    CHECK(grow[1] > grow[0]);
    uint32_t n;
    for (n = 0; n < 200; n++) {
        double p = 0;
        CHECK_OK(crm_bgnbd_probability_of_purchases(&m, 39.0, n, &p));
        total += p;
    }
    CHECK(fabs(total - 1.0) < 1e-9);
    const double zero = 0.0;
    one.frequency = &zero;
    one.recency = &zero;
    CHECK_OK(crm_bgnbd_probability_alive(&m, &one, &alive, 1));
    CHECK(alive == 1.0);
    /* Predictions for every customer at once. */
    static double all[CDNOW];
    CHECK_OK(crm_bgnbd_probability_alive(&m, &data, all, CDNOW));
    for (i = 0; i < CDNOW; i++) CHECK(all[i] >= 0.0 && all[i] <= 1.0);
    *out = m;
}

static void pareto_nbd_on_cdnow_matches_fader_hardie_2005(void) {
    const crm_rfm_columns data = cdnow_columns();
    crm_pareto_nbd_params m;
    crm_fit_summary s;
    CHECK_OK(crm_pareto_nbd_fit(&data, NULL, &m, &s));
    /* Published: r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669 (the shipped summary
     * rounds t_x and T, which moves beta in the third decimal), LL = -9595.0. */
    CHECK(fabs(m.r - 0.553) <= 1.5e-3 && fabs(m.alpha - 10.578) <= 1.5e-3);
    CHECK(fabs(m.s - 0.606) <= 1.5e-3 && fabs(m.beta - 11.669) <= 1.5e-3);
    CHECK(formats("%.1f", s.log_likelihood, 0, 0, 0, "-9595.0"));
    /* Heavy buyers stay finite. */
    const double hx[] = {132.0, 221.0, 1000.0, 0.0}, htx[] = {200.0, 103.43, 50.0, 0.0}, hT[] = {200.0, 103.57, 52.0, 0.0};
    crm_rfm_columns heavy = crm_rfm_columns_default();
    double alive[4], e[4];
    size_t i;
    heavy.frequency = hx;
    heavy.frequency_len = 4;
    heavy.recency = htx;
    heavy.recency_len = 4;
    heavy.t = hT;
    heavy.t_len = 4;
    CHECK_OK(crm_pareto_nbd_probability_alive(&m, &heavy, alive, 4));
    CHECK_OK(crm_pareto_nbd_conditional_expected_purchases(&m, 52.0, &heavy, e, 4));
    for (i = 0; i < 4; i++) CHECK(isfinite(e[i]) && alive[i] >= 0.0 && alive[i] <= 1.0);
}

/* The distinct rows of the "ties" base of tests/distributed/conftest.py (days), as
 * crm-core/tests/models.rs: no finite maximum of the likelihood, whose supremum is one
 * Poisson rate (purchases / exposure) for all and no dropout. */
static void pareto_nbd_without_a_finite_maximum_stops_at_the_poisson_limit(void) {
    static const double fx[36] = {
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0,
        1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0,
        2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0, 4.0};
    static const double ftx[36] = {
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 30.0, 36.0, 100.0, 136.0, 164.0,
        170.0, 200.0, 200.0, 300.0, 334.0, 364.0, 370.0, 400.0, 470.0, 500.0, 200.0, 300.0,
        334.0, 364.0, 370.0, 400.0, 470.0, 500.0, 300.0, 364.0, 400.0, 470.0, 500.0, 500.0};
    static const double fT[36] = {
        0.0, 100.0, 136.0, 300.0, 455.0, 470.0, 500.0, 500.0, 136.0, 100.0, 136.0, 300.0,
        470.0, 300.0, 500.0, 300.0, 470.0, 500.0, 470.0, 500.0, 470.0, 500.0, 500.0, 300.0,
        470.0, 500.0, 470.0, 500.0, 470.0, 500.0, 300.0, 500.0, 500.0, 470.0, 500.0, 500.0};
    static const double fw[36] = {
        21.0, 25.0, 28.0, 24.0, 10.0, 53.0, 27.0, 8.0, 4.0, 7.0, 4.0, 9.0,
        17.0, 9.0, 7.0, 1.0, 15.0, 6.0, 7.0, 6.0, 10.0, 5.0, 6.0, 6.0,
        4.0, 6.0, 16.0, 10.0, 17.0, 16.0, 1.0, 4.0, 7.0, 4.0, 5.0, 5.0};
    crm_rfm_columns d = crm_rfm_columns_default();
    crm_pareto_nbd_params m;
    crm_fit_summary s;
    double purchases = 0, exposure = 0, alive[36], e[36];
    size_t i;
    for (i = 0; i < 36; i++) {
        purchases += fx[i] * fw[i];
        exposure += fT[i] * fw[i];
    }
    d.frequency = fx;
    d.frequency_len = 36;
    d.recency = ftx;
    d.recency_len = 36;
    d.t = fT;
    d.t_len = 36;
    d.weights = fw;
    d.weights_len = 36;
    CHECK_OK(crm_pareto_nbd_fit(&d, NULL, &m, &s));
    const double rate = purchases / exposure, sup = purchases * log(rate) - purchases;
    CHECK(purchases == 360.0 && exposure == 153856.0);
    CHECK(s.log_likelihood <= sup + 1e-9 && s.log_likelihood >= sup - 1e-3);
    /* lifetimes 0.11.3 stops at -303.50268 in its units (time / 500). */
    CHECK(s.log_likelihood >= -303.502682611 + purchases * log(1.0 / 500.0));
    CHECK(fabs(m.r / m.alpha / rate - 1.0) <= 1e-4);
    CHECK_OK(crm_pareto_nbd_probability_alive(&m, &d, alive, 36));
    CHECK_OK(crm_pareto_nbd_conditional_expected_purchases(&m, 100.0, &d, e, 36));
    for (i = 0; i < 36; i++) CHECK(alive[i] > 1.0 - 1e-6 && fabs(e[i] / (100.0 * rate) - 1.0) <= 1e-3);
}

static void gamma_gamma_on_cdnow_repeat_buyers(void) {
    static double rx[CDNOW], rm[CDNOW];
    size_t i, n = 0;
    for (i = 0; i < CDNOW; i++) {
        if (x[i] > 0.0) {
            rx[n] = x[i];
            rm[n++] = zbar[i];
        }
    }
    CHECK(n == 946);
    crm_rfm_columns data = crm_rfm_columns_default();
    data.frequency = rx;
    data.frequency_len = n;
    data.monetary_value = rm;
    data.monetary_value_len = n;
    crm_gamma_gamma_params g;
    crm_fit_summary s;
    CHECK_OK(crm_gamma_gamma_fit(&data, NULL, &g, &s));
    /* Published: p = 6.25, q = 3.74, v = 15.44 (15.448 from the rounded zbar). */
    CHECK(formats("%.2f %.2f", g.p, g.q, 0, 0, "6.25 3.74"));
    CHECK(fabs((g.v - 15.44) / 15.44) <= 1e-3);
    CHECK(s.param_count == 3 && isnan(s.params[3]) && isnan(s.std_errors[3]));
    /* The population mean spend p v / (q - 1). */
    const double zero = 0.0;
    double mean = 0;
    crm_rfm_columns none = crm_rfm_columns_default();
    none.frequency = &zero;
    none.frequency_len = 1;
    none.monetary_value = &zero;
    none.monetary_value_len = 1;
    CHECK_OK(crm_gamma_gamma_expected_average_profit(&g, &none, &mean, 1));
    CHECK(fabs(mean - g.p * g.v / (g.q - 1.0)) < 1e-9 * mean);
}

static void clv_by_month_matches_the_month_by_month_sum(const crm_bgnbd_params *bg) {
    /* CLV equals the sum over months of expected purchases in the month x expected spend,
     * discounted monthly (lifetimes' definition). */
    const crm_gamma_gamma_params spend = {6.25, 3.74, 15.44};
    const crm_rfm_columns data = cdnow_columns();
    static double clv[CDNOW], profit[CDNOW];
    const size_t rows[] = {0, 1, 17, 500, 2356};
    size_t k;
    int m;
    CHECK_OK(crm_bgnbd_customer_lifetime_value(bg, &spend, &data, 12, 0.01, 4.345, clv, CDNOW));
    CHECK_OK(crm_gamma_gamma_expected_average_profit(&spend, &data, profit, CDNOW));
    for (k = 0; k < 5; k++) {
        const size_t i = rows[k];
        crm_rfm_columns one = crm_rfm_columns_default();
        double want = 0, before = 0;
        one.frequency = &x[i];
        one.frequency_len = 1;
        one.recency = &tx[i];
        one.recency_len = 1;
        one.t = &T[i];
        one.t_len = 1;
        for (m = 1; m <= 12; m++) {
            double upto = 0;
            CHECK_OK(crm_bgnbd_conditional_expected_purchases(bg, m * 4.345, &one, &upto, 1));
            want += profit[i] * (upto - before) / pow(1.01, m);
            before = upto;
        }
        CHECK(fabs(clv[i] - want) < 1e-9 * (fabs(want) > 1.0 ? fabs(want) : 1.0));
    }
}

static void bg_bb_on_the_donations_matches_fader_hardie_shang_2010(void) {
    double f[32], r[32], n[32], w[32];
    size_t rows = 0;
    char line[128];
    FILE *file = fopen("../data/donations.csv", "r");
    if (file == NULL || fgets(line, sizeof line, file) == NULL) exit(1);
    while (rows < 32 && fgets(line, sizeof line, file) != NULL)
        if (sscanf(line, "%lf,%lf,%lf,%lf", &f[rows], &r[rows], &n[rows], &w[rows]) == 4) rows++;
    fclose(file);
    crm_rfm_columns data = crm_rfm_columns_default();
    data.frequency = f;
    data.frequency_len = rows;
    data.recency = r;
    data.recency_len = rows;
    data.t = n;
    data.t_len = rows;
    data.weights = w;
    data.weights_len = rows;
    crm_bgbb_params m;
    crm_fit_summary s;
    CHECK_OK(crm_bgbb_fit(&data, NULL, &m, &s));
    /* Published: alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783 (11,104 donors). */
    CHECK(formats("%.3f %.3f %.3f %.3f", m.alpha, m.beta, m.gamma, m.delta, "1.204 0.750 0.657 2.783"));
    CHECK(s.customers == 11104.0);
    /* Expected transactions grow with opportunities; a 6-of-6 donor is likely alive. */
    const double opportunities[2] = {6.0, 11.0};
    double e[2];
    CHECK_OK(crm_bgbb_expected_purchases(&m, opportunities, 2, e, 2));
    CHECK(e[0] < e[1]);
    const double qx[2] = {6.0, 0.0}, qtx[2] = {6.0, 0.0}, qn[2] = {6.0, 6.0};
    crm_rfm_columns q = crm_rfm_columns_default();
    double alive[2];
    q.frequency = qx;
    q.frequency_len = 2;
    q.recency = qtx;
    q.recency_len = 2;
    q.t = qn;
    q.t_len = 2;
    CHECK_OK(crm_bgbb_probability_alive(&m, &q, alive, 2));
    CHECK(alive[0] > 0.9 && alive[1] < 0.2);
    const double cx[2] = {6.0, 1.0}, ctx[2] = {6.0, 1.0};
    double c[2];
    q.frequency = cx;
    q.recency = ctx;
    CHECK_OK(crm_bgbb_conditional_expected_purchases(&m, 5.0, &q, c, 2));
    CHECK(c[0] > c[1]);
    /* lifetimes 0.11.3's conditional_probability_alive(m, 6, 6, 6) and (m, 0, 0, 6) for
       m = 0 and 2: 1.0000, 0.8719 and 0.1162, 0.1013; m = 1 is crm_bgbb_probability_alive. */
    double after[2];
    q.frequency = qx;
    q.recency = qtx;
    CHECK_OK(crm_bgbb_probability_alive_after(&m, 0.0, &q, after, 2));
    CHECK(formats("%.4f %.4f", after[0], after[1], 0, 0, "1.0000 0.1162"));
    CHECK_OK(crm_bgbb_probability_alive_after(&m, 2.0, &q, after, 2));
    CHECK(formats("%.4f %.4f", after[0], after[1], 0, 0, "0.8719 0.1013"));
    CHECK_OK(crm_bgbb_probability_alive_after(&m, 1.0, &q, after, 2));
    CHECK(after[0] == alive[0] && after[1] == alive[1]);
    CHECK(crm_bgbb_probability_alive_after(&m, -1.0, &q, after, 2) == CRM_RESULT_INVALID_ARGUMENT);
    /* Hardie's in-sample fit sheet (cells C18, C24): 3454.9 donors with no transaction in
       the six opportunities, 1253.1 with six; the seven probabilities add up to one. */
    double p0, p6, total = 0.0;
    CHECK_OK(crm_bgbb_probability_of_transactions(&m, 6, 0, &p0));
    CHECK_OK(crm_bgbb_probability_of_transactions(&m, 6, 6, &p6));
    CHECK(formats("%.1f %.1f", p0 * 11104.0, p6 * 11104.0, 0, 0, "3454.9 1253.1"));
    for (uint32_t k = 0; k <= 6; k++) {
        double pk;
        CHECK_OK(crm_bgbb_probability_of_transactions(&m, 6, k, &pk));
        total += pk;
    }
    CHECK(fabs(total - 1.0) < 1e-12);
}

static void shifted_beta_geometric_matches_fader_hardie_2007(void) {
    const double regular[] = {1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0};
    const double high_end[] = {1000.0, 869.0, 743.0, 653.0, 593.0, 551.0, 517.0, 491.0};
    crm_sbg_params r, h;
    CHECK_OK(crm_sbg_fit(regular, 8, NULL, &r, NULL));
    CHECK_OK(crm_sbg_fit(high_end, 8, NULL, &h, NULL));
    CHECK(formats("%.3f %.3f", r.alpha, r.beta, 0, 0, "0.704 1.182"));
    CHECK(formats("%.3f %.3f", h.alpha, h.beta, 0, 0, "0.668 3.806"));
    /* Retention rises with tenure: r(t) = (beta + t - 1) / (alpha + beta + t - 1). */
    const double t[2] = {1.0, 5.0};
    double rate[2], survival[2];
    CHECK_OK(crm_sbg_retention_rate(&r, t, 2, rate, 2));
    CHECK(rate[0] < rate[1]);
    CHECK_OK(crm_sbg_survival(&r, t, 2, survival, 2));
    CHECK(fabs(survival[0] - r.beta / (r.alpha + r.beta)) < 1e-12);
    const double renewals[1] = {0.0};
    double derl = 0;
    CHECK_OK(crm_sbg_discounted_expected_residual_lifetime(&r, 0.1, renewals, 1, &derl, 1));
    CHECK(derl > 0.0 && isfinite(derl));
    const double rising[] = {100.0, 120.0};
    CHECK_FAILS(crm_sbg_fit(rising, 2, NULL, &r, NULL), CRM_RESULT_INVALID_VALUE, "row 1, column `alive`");
}

static void mbg_nbd_fits_cdnow_and_zero_repeat_customers_may_be_dead(void) {
    const crm_rfm_columns data = cdnow_columns();
    crm_mbgnbd_params m;
    crm_fit_summary s;
    CHECK_OK(crm_mbgnbd_fit(&data, NULL, &m, &s));
    CHECK(s.converged && isfinite(s.log_likelihood));
    const double zero = 0.0, age = 38.86;
    crm_rfm_columns one = crm_rfm_columns_default();
    double alive = 0;
    one.frequency = &zero;
    one.frequency_len = 1;
    one.recency = &zero;
    one.recency_len = 1;
    one.t = &age;
    one.t_len = 1;
    CHECK_OK(crm_mbgnbd_probability_alive(&m, &one, &alive, 1));
    CHECK(alive < 1.0);
}

static void weights_give_the_same_fit(void) {
    /* Four rows standing for 1 + 2 + 3 + 4 customers fit as ten rows of one customer. */
    const double wx[] = {0, 1, 2, 5}, wtx[] = {0, 4, 10, 30}, wT[] = {20, 25, 30, 40}, w[] = {1, 2, 3, 4};
    double ex[10], etx[10], eT[10];
    size_t i, j, n = 0;
    for (i = 0; i < 4; i++)
        for (j = 0; j < (size_t)w[i]; j++, n++) {
            ex[n] = wx[i];
            etx[n] = wtx[i];
            eT[n] = wT[i];
        }
    crm_rfm_columns a = crm_rfm_columns_default(), b;
    a.frequency = wx;
    a.frequency_len = 4;
    a.recency = wtx;
    a.recency_len = 4;
    a.t = wT;
    a.t_len = 4;
    a.weights = w;
    a.weights_len = 4;
    b = a;
    b.frequency = ex;
    b.frequency_len = 10;
    b.recency = etx;
    b.recency_len = 10;
    b.t = eT;
    b.t_len = 10;
    b.weights = NULL;
    b.weights_len = 0;
    crm_bgnbd_params pa, pb;
    crm_fit_summary sa, sb;
    CHECK_OK(crm_bgnbd_fit(&a, NULL, &pa, &sa));
    CHECK_OK(crm_bgnbd_fit(&b, NULL, &pb, &sb));
    CHECK(pa.r == pb.r && pa.alpha == pb.alpha && pa.a == pb.a && pa.b == pb.b);
    CHECK(sa.customers == 10.0 && sb.customers == 10.0 && sa.distinct_rows == 4 && sb.distinct_rows == 4);
}

static void summary_from_transactions_of_a_base(void) {
    /* p: first day 2024-01-01 (two rows that day), again 01-08 (50) and 01-22 (30 + 10);
     * q: once. Observation end 2024-01-29, in weeks. */
    static const char *const ids[] = {"p", "p", "p", "p", "p", "q"};
    static const char *const dates[] = {"2024-01-01", "2024-01-01", "2024-01-08",
                                        "2024-01-22", "2024-01-22", "2024-01-15"};
    static const double amounts[] = {20, 5, 50, 30, 10, 99};
    crm_base_builder *b = builder();
    add_tx(b, ids, dates, amounts, NULL, 6);
    crm_base *base = build_base(b);
    crm_rfm_summary *s = NULL;
    CHECK_OK(crm_rfm_summary_new(base, iso("2024-01-29"), 7.0, &s));
    CHECK(crm_rfm_summary_count(s) == 2);
    size_t who[2];
    double f[2], r[2], t[2], m[2];
    CHECK_OK(crm_rfm_summary_copy_customers(s, who, 2));
    CHECK_OK(crm_rfm_summary_copy_frequency(s, f, 2));
    CHECK_OK(crm_rfm_summary_copy_recency(s, r, 2));
    CHECK_OK(crm_rfm_summary_copy_t(s, t, 2));
    CHECK_OK(crm_rfm_summary_copy_monetary_value(s, m, 2));
    CHECK(who[0] == 0 && who[1] == 1);
    CHECK(f[0] == 2.0 && r[0] == 3.0 && t[0] == 4.0 && m[0] == 45.0);
    CHECK(f[1] == 0.0 && r[1] == 0.0 && t[1] == 2.0 && m[1] == 0.0);
    crm_rfm_columns c;
    CHECK_OK(crm_rfm_summary_columns(s, &c));
    CHECK(c.frequency_len == 2 && c.frequency[0] == 2.0 && c.t[1] == 2.0 && c.weights == NULL);
    crm_base_free(base);
    double alive[2];
    const crm_bgnbd_params model = {0.243, 4.414, 0.793, 2.426};
    CHECK_OK(crm_bgnbd_probability_alive(&model, &c, alive, 2)); /* the columns outlive the base */
    CHECK(alive[1] == 1.0 && alive[0] > 0.0 && alive[0] < 1.0);
    crm_rfm_summary_free(s);
}

/* The same customers as integer arrays (p = 7, q = 3, and 5 buying only after the end),
 * summarised without a base: in time order (one pass) and shuffled (through a base), the
 * figures worked out above, and the ids of the rows. */
static void summary_from_columns_without_a_base(void) {
    const int64_t day = 19723; /* 2024-01-01 */
    const int64_t ids[] = {7, 7, 7, 3, 7, 7, 5};
    const int64_t days[] = {day, day, day + 7, day + 14, day + 21, day + 21, day + 40};
    const double amounts[] = {20, 5, 50, 99, 30, 10, 1};
    const int64_t shuffled_ids[] = {5, 7, 3, 7, 7, 7, 7};
    const int64_t shuffled_days[] = {day + 40, day + 21, day + 14, day, day + 7, day + 21, day};
    const double shuffled_amounts[] = {1, 10, 99, 5, 50, 30, 20};
    int round;
    for (round = 0; round < 2; round++) {
        crm_rfm_summary *s = NULL;
        CHECK_OK(crm_rfm_summary_from_columns_int(round ? shuffled_ids : ids, 7, round ? shuffled_days : days, 7,
                                                  CRM_TIME_UNIT_DAYS, round ? shuffled_amounts : amounts, 7,
                                                  iso("2024-01-29"), 7.0, &s));
        CHECK(crm_rfm_summary_count(s) == 2);
        int64_t who[2];
        size_t position[2];
        double f[2], r[2], t[2], m[2];
        CHECK_OK(crm_rfm_summary_copy_ids_int(s, who, 2));
        CHECK_OK(crm_rfm_summary_copy_customers(s, position, 2));
        CHECK_OK(crm_rfm_summary_copy_frequency(s, f, 2));
        CHECK_OK(crm_rfm_summary_copy_recency(s, r, 2));
        CHECK_OK(crm_rfm_summary_copy_t(s, t, 2));
        CHECK_OK(crm_rfm_summary_copy_monetary_value(s, m, 2));
        CHECK(who[0] == 3 && who[1] == 7 && position[0] == 0 && position[1] == 2);
        CHECK(f[1] == 2.0 && r[1] == 3.0 && t[1] == 4.0 && m[1] == 45.0);
        CHECK(f[0] == 0.0 && r[0] == 0.0 && t[0] == 2.0 && m[0] == 0.0);
        CHECK_FAILS(crm_rfm_summary_copy_ids_int(s, who, 1), CRM_RESULT_LENGTH_MISMATCH, "");
        crm_rfm_summary_free(s);
    }
    /* Bad input: the error building a base gives, naming the row; a checked unit. */
    const double bad[] = {20, 5, 50, NAN, 30, 10, 1};
    crm_rfm_summary *s = NULL;
    CHECK_FAILS(crm_rfm_summary_from_columns_int(ids, 7, days, 7, CRM_TIME_UNIT_DAYS, bad, 7, iso("2024-01-29"), 7.0, &s),
                CRM_RESULT_INVALID_VALUE, "row 3");
    /* Days beyond any date, in time order (so the one pass declines them, not the order). */
    const int64_t far_days[] = {day, day, day + 7, day + 14, day + 21, day + 21, INT64_MAX};
    CHECK_FAILS(crm_rfm_summary_from_columns_int(ids, 7, far_days, 7, CRM_TIME_UNIT_DAYS, amounts, 7, iso("2024-01-29"),
                                                 7.0, &s),
                CRM_RESULT_INVALID_VALUE, "row 6");
    CHECK_FAILS(crm_rfm_summary_from_columns_int(ids, 7, days, 6, CRM_TIME_UNIT_DAYS, amounts, 7, iso("2024-01-29"), 7.0, &s),
                CRM_RESULT_LENGTH_MISMATCH, "");
    CHECK_FAILS(crm_rfm_summary_from_columns_int(ids, 7, days, 7, CRM_TIME_UNIT_DAYS, amounts, 7, iso("2024-01-29"), 0.0, &s),
                CRM_RESULT_INVALID_ARGUMENT, "days_per_unit");
    CHECK(s == NULL);
    /* A base with text ids has no integer ids to copy. */
    static const char *const text[] = {"p"};
    static const char *const one_date[] = {"2024-01-01"};
    static const double one_amount[] = {1};
    crm_base_builder *b = builder();
    add_tx(b, text, one_date, one_amount, NULL, 1);
    crm_base *base = build_base(b);
    CHECK_OK(crm_rfm_summary_new(base, iso("2024-01-29"), 1.0, &s));
    int64_t id;
    CHECK_FAILS(crm_rfm_summary_copy_ids_int(s, &id, 1), CRM_RESULT_ID_KIND_MISMATCH, "text ids");
    crm_rfm_summary_free(s);
    crm_base_free(base);
}

/* The penalty as lifetimes 0.11.3 applies it (time in units of the largest T while
   fitting; Pareto/NBD's objective over the mean weight): its fits with penalizer_coef 0.1. */
static void penalizer_is_lifetimes(void) {
    const crm_rfm_columns data = cdnow_columns();
    crm_fit_options o = crm_fit_options_default();
    o.penalizer = 0.1;
    crm_bgnbd_params bg;
    CHECK_OK(crm_bgnbd_fit(&data, &o, &bg, NULL));
    CHECK(formats("%.4f %.4f %.4f %.4f", bg.r, bg.alpha, bg.a, bg.b, "0.2309 4.2193 0.1287 0.2671"));
    crm_pareto_nbd_params p;
    CHECK_OK(crm_pareto_nbd_fit(&data, &o, &p, NULL));
    CHECK(formats("%.3f %.2f %.3f %.2f", p.r, p.alpha, p.s, p.beta, "0.554 10.58 0.601 11.50"));
    /* A looser tolerance stops sooner. */
    crm_fit_summary tight, loose;
    o.penalizer = 0.0;
    CHECK_OK(crm_bgnbd_fit(&data, &o, &bg, &tight));
    o.tolerance = 1e-3;
    CHECK_OK(crm_bgnbd_fit(&data, &o, &bg, &loose));
    CHECK(loose.iterations < tight.iterations);
    CHECK(fabs(bg.r - 0.243) < 0.01 && fabs(bg.a - 0.793) < 0.05); /* near the optimum */
}

/* An invoice's six lines at one day, out of amount order, in time order (the one pass) and
 * shuffled (through a base): summed in amount order as a base sums them. 1e16, 3, 2,
 * -1e16, -5, 1 add up to 2 in file order and to 0 in amount order. */
static void invoice_lines_are_summed_in_amount_order(void) {
    const int64_t day = 19723; /* 2024-01-01 */
    const int64_t ids[] = {7, 4, 7, 7, 7, 7, 7, 7};
    const int64_t days[] = {day, day + 1, day + 7, day + 7, day + 7, day + 7, day + 7, day + 7};
    const double amounts[] = {10, 8, 1e16, 3, 2, -1e16, -5, 1};
    const int64_t shuffled_ids[] = {7, 7, 4, 7, 7, 7, 7, 7};
    const int64_t shuffled_days[] = {day + 7, day + 7, day + 1, day, day + 7, day + 7, day + 7, day + 7};
    const double shuffled_amounts[] = {-1e16, 1, 8, 10, 2, 1e16, -5, 3};
    int round;
    for (round = 0; round < 2; round++) {
        crm_rfm_summary *s = NULL;
        CHECK_OK(crm_rfm_summary_from_columns_int(round ? shuffled_ids : ids, 8, round ? shuffled_days : days, 8,
                                                  CRM_TIME_UNIT_DAYS, round ? shuffled_amounts : amounts, 8,
                                                  iso("2024-01-29"), 1.0, &s));
        double f[2], m[2];
        CHECK_OK(crm_rfm_summary_copy_frequency(s, f, 2));
        CHECK_OK(crm_rfm_summary_copy_monetary_value(s, m, 2));
        CHECK(f[0] == 0.0 && f[1] == 1.0 && m[1] == 0.0);
        crm_rfm_summary_free(s);
    }
}

int main(void) {
    crm_bgnbd_params bg;
    CHECK(read_cdnow() == CDNOW);
    bg_nbd_on_cdnow_matches_fader_hardie_lee_2005(&bg);
    pareto_nbd_on_cdnow_matches_fader_hardie_2005();
    pareto_nbd_without_a_finite_maximum_stops_at_the_poisson_limit();
    gamma_gamma_on_cdnow_repeat_buyers();
    clv_by_month_matches_the_month_by_month_sum(&bg);
    bg_bb_on_the_donations_matches_fader_hardie_shang_2010();
    shifted_beta_geometric_matches_fader_hardie_2007();
    mbg_nbd_fits_cdnow_and_zero_repeat_customers_may_be_dead();
    weights_give_the_same_fit();
    summary_from_transactions_of_a_base();
    summary_from_columns_without_a_base();
    invoice_lines_are_summed_in_amount_order();
    penalizer_is_lifetimes();
    CHECK_DONE();
}
