/* Interactions: costs to serve turn margin into profit (the fixture of
 * crm-core/tests/segments.rs), and contacts alone make a customer known (a prospect). */
#include "check.h"

static void profit_is_margin_minus_cost_to_serve(void) {
    /* a: margin 50, no contacts -> 50. b: margin 10, two service calls of 15 -> -20.
     * c: margin 30, one call in the window (5) and one before it (100, ignored) -> 25. */
    const crm_str tx_ids[] = {str("a"), str("b"), str("c")};
    const int64_t t = secs(2024, 6, 1);
    const int64_t tx_times[] = {t, t, t};
    const double amounts[] = {200.0, 100.0, 150.0};
    const double margins[] = {50.0, 10.0, 30.0};
    const crm_str ix_ids[] = {str("b"), str("b"), str("c"), str("c")};
    const int64_t ix_times[] = {secs(2024, 7, 1), secs(2024, 8, 1), secs(2024, 9, 1), secs(2023, 1, 1)};
    const uint8_t channels[] = {CRM_CHANNEL_CALL_CENTRE, CRM_CHANNEL_CALL_CENTRE, CRM_CHANNEL_CALL_CENTRE,
                                CRM_CHANNEL_CALL_CENTRE};
    const uint8_t directions[] = {CRM_DIRECTION_INBOUND, CRM_DIRECTION_INBOUND, CRM_DIRECTION_INBOUND,
                                  CRM_DIRECTION_INBOUND};
    const crm_str kinds[] = {str("service"), str("service"), str("service"), str("service")};
    const double costs[] = {15.0, 15.0, 5.0, 100.0};

    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_str(b, tx_ids, 3, tx_times, 3, CRM_TIME_UNIT_SECONDS, amounts, 3,
                                                   margins, 3));
    crm_interaction_columns ix = crm_interaction_columns_default();
    ix.customer_ids_str = ix_ids;
    ix.customer_ids_len = 4;
    ix.timestamps = ix_times;
    ix.timestamps_len = 4;
    ix.channels = channels;
    ix.channels_len = 4;
    ix.directions = directions;
    ix.directions_len = 4;
    ix.kinds = kinds;
    ix.kinds_len = 4;
    ix.costs = costs;
    ix.costs_len = 4;
    CHECK_OK(crm_base_builder_add_interactions(b, &ix));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    CHECK(crm_base_interaction_count(base) == 4);
    size_t n_ix = 0;
    CHECK_OK(crm_base_customer_activity(base, 1, NULL, &n_ix));
    CHECK(n_ix == 2);

    crm_segments_config cfg = crm_segments_config_default();
    cfg.shares[0] = cfg.shares[1] = cfg.shares[2] = 1.0 / 3.0;
    cfg.measure = CRM_VALUE_MEASURE_PROFIT;
    crm_segments *s = NULL;
    CHECK_OK(crm_segments_new(base, day(2024, 12, 31), &cfg, &s));
    double profit[3], value[3];
    crm_value_segment seg[3];
    CHECK_OK(crm_segments_copy_profit(s, profit, 3));
    CHECK_OK(crm_segments_copy_value(s, value, 3));
    CHECK_OK(crm_segments_copy_segment(s, seg, 3));
    CHECK(profit[0] == 50.0 && profit[1] == -20.0 && profit[2] == 25.0);
    CHECK(value[0] == 50.0 && value[1] == -20.0 && value[2] == 25.0);
    CHECK(seg[0] == CRM_VALUE_SEGMENT_TOP && seg[1] == CRM_VALUE_SEGMENT_BOTTOM && seg[2] == CRM_VALUE_SEGMENT_MIDDLE);
    crm_segment_row top, bottom;
    CHECK_OK(crm_segments_table_row(s, CRM_SEGMENT_TABLE_VALUE, 0, &top));
    CHECK_OK(crm_segments_table_row(s, CRM_SEGMENT_TABLE_VALUE, 2, &bottom));
    CHECK(bottom.profit == -20.0 && bottom.cost_to_serve == 30.0 && bottom.negative_profit_customers == 1);
    CHECK(bottom.margin == 10.0);
    /* Total profit 55: the top third brings 50 / 55, the bottom -20 / 55. */
    CHECK_NEAR(top.profit_share, 50.0 / 55.0);
    CHECK_NEAR(bottom.profit_share, -20.0 / 55.0);
    crm_segments_free(s);

    /* Ranked by revenue instead, the order is a, c, b. */
    cfg.measure = CRM_VALUE_MEASURE_REVENUE;
    CHECK_OK(crm_segments_new(base, day(2024, 12, 31), &cfg, &s));
    int64_t rank[3];
    CHECK_OK(crm_segments_copy_rank(s, rank, 3));
    CHECK(rank[0] == 0 && rank[1] == 2 && rank[2] == 1);
    crm_segments_free(s);
    crm_base_free(base);
}

static void contacts_alone_make_a_prospect(void) {
    /* Customer 1 bought; customer 2 only answered a campaign e-mail. */
    const int64_t tx_ids[] = {1};
    const int64_t tx_days[] = {19800};
    const double amounts[] = {99.0};
    const int64_t ix_ids[] = {1, 2};
    const int64_t ix_times[] = {secs(2024, 3, 1), secs(2024, 3, 2)};
    const uint8_t channels[] = {CRM_CHANNEL_EMAIL, CRM_CHANNEL_EMAIL};
    const uint8_t directions[] = {CRM_DIRECTION_OUTBOUND, CRM_DIRECTION_OUTBOUND};
    const crm_str kinds[] = {str("campaign"), str("campaign")};
    const crm_str outcomes[] = {str("no"), str("yes")};

    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_int(b, tx_ids, 1, tx_days, 1, CRM_TIME_UNIT_DAYS, amounts, 1, NULL, 0));
    crm_interaction_columns ix = crm_interaction_columns_default();
    ix.customer_ids_int = ix_ids;
    ix.customer_ids_len = 2;
    ix.timestamps = ix_times;
    ix.timestamps_len = 2;
    ix.channels = channels;
    ix.channels_len = 2;
    ix.directions = directions;
    ix.directions_len = 2;
    ix.kinds = kinds;
    ix.kinds_len = 2;
    ix.outcomes = outcomes;
    ix.outcomes_len = 2;
    CHECK_OK(crm_base_builder_add_interactions(b, &ix));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    CHECK(crm_base_customer_count(base) == 2);
    CHECK(crm_base_interaction_count(base) == 2);
    crm_lifecycle *l = NULL;
    crm_lifecycle_stage stages[2];
    CHECK_OK(crm_lifecycle_new(base, day(2024, 12, 31), NULL, &l));
    CHECK_OK(crm_lifecycle_copy_stages(l, stages, 2));
    CHECK(stages[1] == CRM_LIFECYCLE_STAGE_PROSPECT);
    CHECK(strcmp(crm_channel_name(CRM_CHANNEL_CALL_CENTRE), "call_centre") == 0);
    crm_lifecycle_free(l);
    crm_base_free(base);
}

int main(void) {
    profit_is_margin_minus_cost_to_serve();
    contacts_alone_make_a_prospect();
    CHECK_DONE();
}
