"""LTI 1.3 tool, launch side: logins, launches, deep linking, keys (built on django-lti)."""
