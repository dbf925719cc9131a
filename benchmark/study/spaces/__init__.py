"""Search spaces, one module per model family. Each module registers its models' parameters with
``@register_space``; :func:`benchmark.study.space.load_spaces` finds every module here automatically. A
deep space takes its family from its models (``@register_model(family=...)``, the one place it is
declared); a baseline space names its family."""
