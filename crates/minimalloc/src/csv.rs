//! MiniMalloc CSV format.
