"""Data validation: Great Expectations suites run on parsed file frames before anything is loaded."""
