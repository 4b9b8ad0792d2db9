# The record's cache token was called RecordVersion, a name it shared with each row's save counter (issue 19).
# A rename keeps the row, so caches stay valid across the migration.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0012_reader_names'),
    ]

    operations = [
        migrations.RenameModel(old_name='RecordVersion', new_name='RecordToken'),
        migrations.AlterModelOptions(
            name='recordtoken',
            options={'verbose_name': 'record token', 'verbose_name_plural': 'record tokens'},
        ),
        migrations.AlterField(
            model_name='recordtoken',
            name='token',
            field=models.CharField(max_length=32, verbose_name='token'),
        ),
    ]
