from indicators.models.scheme import CategoryRules, IndicatorNode, Method, PoolKind

__all__ = ["CategoryRules", "IndicatorNode", "Method", "PoolKind"]
