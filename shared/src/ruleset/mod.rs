//! Many named patterns compiled into one matcher. (Being written.)
