//! Assertions: JMESPath queries and the comparisons a check makes.

pub mod compare;
pub mod query;
pub mod query_limits;
