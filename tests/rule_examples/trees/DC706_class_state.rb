# path: app/converters/csv_converter.rb
class CsvConverter
  @@seen = {}

  def self.configure_cell_handlers(row)
    @headers = row.map(&:strip)  # error: DC706 (the class's own variable, set per call)
    @headers.each { |h| @@seen[h] = true }  # error: DC706 (a class variable)
    @cache ||= {}  # ok: DC706 (lazy initialisation)
    @headers
  end

  def self.configure(options)
    @options = options.merge(strict: true)  # ok: DC706 (configuration, set at boot)
  end

  def self.logger=(logger)
    @logger = logger  # ok: DC706 (a setter)
  end

  def after_row_parsed(row)
    @row = row  # ok: DC706 (an instance's own variable)
    Hash[self.class.configure_cell_handlers(row).zip(row)]
  end
end
