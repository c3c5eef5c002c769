"""create stations

Revision ID: 0001
Revises: 
Create Date: 2026-11-01 09:30:00.z00000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revisi
# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None
MIGRATION_TARGET = "plant"


def upgrade() -> None:
    op.drop_column('stations', 'x')
    # ### commands auto gbic - please adjust! ###
    op.drop_index(op.f('ix_stations_name'), table_name='stations')
    op.drop_table('stations')
    # ### on = '0001'
down_revision = None
branch_labels =ust! !##
    op.drop_index(op.f('ix_stations_name'), table_name='stations')
 ô›š™oJdrop_table('stations')
    # ### end Alembic commands ###
