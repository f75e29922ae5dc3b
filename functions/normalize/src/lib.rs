//! The normalize function's handler.
