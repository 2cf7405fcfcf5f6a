//! Size and count limits.
