"""Search spaces, one module per model family. Each module registers its models' parameters with
``@register_space``; :func:`benchmark.space.load_spaces` finds every module here automatically."""
