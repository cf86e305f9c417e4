"""The demo data (`manage.py seed_demo`): accounts, catalogue, coupons and orders for development,
CI and the e2e tests. The top layer: it calls every app's services, no app imports it."""
