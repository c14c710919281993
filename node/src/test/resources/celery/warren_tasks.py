"""A Celery task queue (Debian's python3-celery 5.2 with kombu) on a broker cluster: `warren_tasks.py worker PORT`
runs a worker on PORT; `warren_tasks.py client PORT` sends tasks from PORT and checks their results, which come
back through Celery's rpc:// backend. Prints OK when every result was right. Every wait has a timeout."""
import sys

from celery import Celery, group

MODE, PORT = sys.argv[1], int(sys.argv[2])
WAIT_SECONDS = 60

app = Celery('warren_tasks', broker=f'pyamqp://guest:guest@127.0.0.1:{PORT}//', backend='rpc://')
app.conf.update(task_default_queue='warren-tasks', task_acks_late=True, worker_prefetch_multiplier=1,
                broker_connection_retry_on_startup=True, result_expires=None)


@app.task
def add(x, y):
    return x + y


@app.task
def refuse(reason):
    raise ValueError(reason)


def client():
    assert add.delay(2, 3).get(timeout=WAIT_SECONDS) == 5
    assert group(add.s(i, i) for i in range(10))().get(timeout=WAIT_SECONDS) == [2 * i for i in range(10)]
    try:
        refuse.delay('no').get(timeout=WAIT_SECONDS)
        raise AssertionError('the failing task succeeded')
    except ValueError as e:
        assert str(e) == 'no', e
    print('OK')


if __name__ == '__main__':
    if MODE == 'worker':
        app.worker_main(['worker', '--pool=solo', '--without-heartbeat', '--without-mingle', '--without-gossip',
                         '--loglevel=WARNING'])
    else:
        client()
