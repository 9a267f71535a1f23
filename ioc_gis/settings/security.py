"""Security headers, request limits and throttles. (Filled in by the hardening work.)"""
