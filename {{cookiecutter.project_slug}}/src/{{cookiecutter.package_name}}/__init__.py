"""The function's code: handler.py is Lambda's entry point, task.py the one task it runs."""
