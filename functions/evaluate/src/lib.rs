//! The evaluate function's handler.
