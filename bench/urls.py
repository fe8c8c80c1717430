"""The product's URLs plus the minimal insert view the e-poll intake is compared with."""

from django.urls import path

from bench.minimal import views
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    *product_urlpatterns,
    path("bench/insert/", views.insert, name="bench_insert"),
]
