"""Running the product: settings (``config``, the one module every layer may import), training when
the model is stale, the generated endpoints file, the process launcher behind ``make run``, and the
``python -m bot`` command line.

Apart from ``config``, nothing outside ``bot.ops`` imports from here.
"""
