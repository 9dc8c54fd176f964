"""Pages that lie, refuse politely or look alike: nothing of them may be recorded as
confirmed, and every real confirmation among them must be."""
