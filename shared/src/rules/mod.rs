//! The rules file, targets and input transforms. (Being written.)
