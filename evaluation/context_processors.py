from evaluation.navigation import nav_for


def tenancy(request):
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "tenant": getattr(request, "tenant", None),
        "nav_items": nav_for(membership),
    }
