//! Partial results for hosts that distribute the analyses (`crm_core::distributed`): each
//! task computes a partial over its customers (the host partitions by customer), the
//! partials travel as bytes to the driver and merge there in any order, and what the
//! driver finishes is what one machine computes over the whole base.

mod models;
mod rfm;
